// `npm run bench:profile`: a CPU profile of our Worker under load. Builds it unminified, serves it as the
// benchmark does (auth, rate limit, credit and metering on, fake upstream on loopback), samples workerd's
// isolate through its inspector while autocannon drives /v1/chat/completions, then prints where the time goes
// (self time by function and by source folder) and writes bench/profile.cpuprofile (open it in DevTools).
// Rebuilds the minified Worker at the end, so `npm start` serves what ships (`-- --keep-build` leaves the
// readable one, to look up the lines the profile names).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import WebSocket from "ws";
import { freePort } from "../scripts/ports";
import { FAKE_OPENAI_KEY, startFakeOpenAI } from "../tests/fakes/openai";
import { longChatBody, smallChatBody } from "./bodies";
import { ours } from "./targets";

const root = path.resolve(import.meta.dirname, "..");
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS ?? 8);

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

function build(profile: boolean) {
  execFileSync(path.join(root, "node_modules/.bin/react-router"), ["build"], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, PROFILE_BUILD: profile ? "1" : "0" },
  });
}

type Target = { webSocketDebuggerUrl: string; title?: string };

/** A tiny Chrome DevTools protocol client over one isolate's inspector WebSocket. */
async function connect(target: Target) {
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let next = 1;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on("message", (data: WebSocket.RawData) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  return {
    name: (target.title ?? "?").replace(/^workerd: worker /, ""),
    send: <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve) => {
        const id = next++;
        pending.set(id, resolve as (r: unknown) => void);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Sampled time one isolate spent running JavaScript (and collecting its garbage), ms. */
function busyMs(profile: Profile): number {
  const idle = new Set(
    profile.nodes
      .filter((n) => n.callFrame.functionName === "(idle)" || n.callFrame.functionName === "(program)")
      .map((n) => n.id),
  );
  return (
    profile.samples.reduce((t, id, i) => t + (idle.has(id) ? 0 : (profile.timeDeltas[i] ?? 0)), 0) / 1000
  );
}

/** Self time per function and per source folder, in % of sampled time. */
function summarise(profile: Profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const folder = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const file = f.url.replace(/^.*\/build\/server\//, "");
    const key = `${f.functionName || "(anonymous)"}  ${file}:${f.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const where = f.url ? file.split("/").slice(0, 2).join("/") : f.functionName;
    folder.set(where, (folder.get(where) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  // Inclusive: every function on a sample's stack is charged once for it.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (!f.url) continue;
      seen.add(
        `${f.functionName || "(anonymous)"}  ${f.url.replace(/^.*\/build\/server\//, "")}:${f.lineNumber + 1}`,
      );
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
  return { functions: top(fn, 30), folders: top(folder, 12), inclusive: top(inclusive, 40) };
}

async function main() {
  console.info("Building unminified…");
  build(true);
  const fake = await startFakeOpenAI();
  const inspectorPort = await freePort();
  const target = await ours(
    await freePort(),
    { OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: FAKE_OPENAI_KEY },
    { inspectorPort },
  );
  const request = {
    url: `${target.url}/v1/chat/completions`,
    method: "POST" as const,
    headers: { "content-type": "application/json", ...target.headers },
    // PROFILE_BODY=long: the 200-message conversation (bench/bodies.ts) instead of the benchmark's small request.
    body: JSON.stringify(process.env.PROFILE_BODY === "long" ? longChatBody() : smallChatBody()),
  };
  try {
    await autocannon({ ...request, connections: CONNECTIONS, duration: 2 }); // warm-up: leases, caches, JIT
    // Our isolate only: sampling Miniflare's own isolates too (its entry worker, the D1 and rate-limit
    // simulators) slows the run several times over and no longer measures the same thing.
    const listed = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Target[];
    const ourTarget = listed.find((t) => t.title?.includes("core:user"));
    if (!ourTarget) throw new Error(`our isolate is not among ${listed.map((t) => t.title).join(", ")}`);
    const cdp = await connect(ourTarget);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
    const run = await autocannon({ ...request, connections: CONNECTIONS, duration: SECONDS });
    const { profile } = await cdp.send<{ profile: Profile }>("Profiler.stop");
    cdp.close();
    writeFileSync(path.join(root, "bench/profile.cpuprofile"), JSON.stringify(profile));
    const requests = run.requests.total;
    const summary = summarise(profile);
    console.info(
      `\n${Math.round(run.requests.average)} req/s at c=${CONNECTIONS} while sampling, ${run.non2xx} non-2xx; ` +
        `our isolate ran JavaScript ${(busyMs(profile) / requests).toFixed(3)} ms per request`,
    );
    console.info(`\nself time by folder (% of sampled time):\n${summary.folders.join("\n")}`);
    console.info(`\nself time by function:\n${summary.functions.join("\n")}`);
    console.info(
      `\ninclusive time (what each step costs with what it calls):\n${summary.inclusive.join("\n")}`,
    );
  } finally {
    await target.close();
    await fake.close();
    if (!process.argv.includes("--keep-build")) {
      console.info("\nRebuilding the minified Worker…");
      build(false);
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
