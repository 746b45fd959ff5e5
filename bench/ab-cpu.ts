// A/B of two builds of our Worker by workerd CPU per request (/proc, bench/cpu.ts): both served at once, as the
// benchmark serves ours (auth, rate limit, credit, metering; fake upstream on loopback), loaded in interleaved
// rounds (the order reversed each round) with the benchmark's small chat request and a 200-message conversation.
// Prints each round, the medians and the difference, with the load average.
//   npx react-router build && cp -r build /tmp/a   (then the change, and the same into /tmp/b)
//   npm run bench:ab -- /tmp/a/build/server /tmp/b/build/server [rounds=3] [seconds=5]
import { loadavg } from "node:os";
import autocannon from "autocannon";
import { freePort } from "../scripts/ports";
import { FAKE_OPENAI_KEY, startFakeOpenAI } from "../tests/fakes/openai";
import { longChatBody, smallChatBody } from "./bodies";
import { workerdCpu, workerdPids } from "./cpu";
import { type Ours, ours } from "./targets";

const CONNECTIONS = 8;

type Served = { name: string; target: Ours; pids: number[] };

async function serve(name: string, buildDir: string, vars: Record<string, string>): Promise<Served> {
  const before = new Set(workerdPids());
  const target = await ours(await freePort(), vars, { buildDir });
  return { name, target, pids: workerdPids().filter((p) => !before.has(p)) };
}

/** CPU per request (ms) of one target's workerd under `seconds` of load with `body`. */
async function cpuPerRequest(served: Served, body: string, seconds: number) {
  const cpu = workerdCpu(served.pids);
  const run = await autocannon({
    url: `${served.target.url}/v1/chat/completions`,
    method: "POST",
    connections: CONNECTIONS,
    duration: seconds,
    headers: { "content-type": "application/json", ...served.target.headers },
    body,
  });
  if (run.non2xx || run.errors)
    throw new Error(`${served.name}: ${run.non2xx} non-2xx, ${run.errors} errors`);
  return { ms: cpu.stop() / Math.max(1, run.requests.total), rps: run.requests.average };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => loadavg()[0]!.toFixed(2);

async function main() {
  const [dirA, dirB] = process.argv.slice(2, 4);
  if (!dirA || !dirB) throw new Error("usage: bench/ab-cpu.ts <build A> <build B> [rounds] [seconds]");
  const rounds = Number(process.argv[4] ?? 3);
  const seconds = Number(process.argv[5] ?? 5);
  const fake = await startFakeOpenAI();
  const vars = { OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: FAKE_OPENAI_KEY };
  const a = await serve("A", dirA, vars);
  const b = await serve("B", dirB, vars);
  const bodies = { small: JSON.stringify(smallChatBody()), long: JSON.stringify(longChatBody()) };
  const figures: Record<string, number[]> = {};
  console.info(`load average at start ${load()}`);
  try {
    for (const served of [a, b])
      for (const body of Object.values(bodies)) await cpuPerRequest(served, body, 2); // warm-up
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [b, a] : [a, b];
      for (const [kind, body] of Object.entries(bodies)) {
        for (const served of order) {
          // The long body's requests are slow at the fake upstream (it tokenizes them): run it longer, so the
          // /proc clock's 10 ms ticks stay small against the CPU measured.
          const { ms, rps } = await cpuPerRequest(served, body, kind === "long" ? seconds * 3 : seconds);
          const key = `${kind} ${served.name}`;
          figures[key] = [...(figures[key] ?? []), ms];
          console.info(
            `round ${round + 1} ${kind} ${served.name}: ${ms.toFixed(3)} ms CPU/request, ${Math.round(rps)} req/s, load ${load()}`,
          );
        }
      }
    }
  } finally {
    await a.target.close();
    await b.target.close();
    await fake.close();
  }
  for (const kind of Object.keys(bodies)) {
    const [ma, mb] = [median(figures[`${kind} A`]!), median(figures[`${kind} B`]!)];
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;
    console.info(
      `${kind}: A ${ma.toFixed(3)} ms (${spread(figures[`${kind} A`]!)}), B ${mb.toFixed(3)} ms (${spread(figures[`${kind} B`]!)}), B − A ${((mb - ma) * 1000).toFixed(0)} µs per request`,
    );
  }
  console.info(`load average at end ${load()}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
