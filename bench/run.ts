// `npm run bench`: our Worker against the fake upstream directly, a bare forwarding Worker (the runtime's
// ceiling) and the Portkey peer — throughput at c=32, latency at c=1, streamed first byte, and exact metering
// of 1,000 concurrent requests. Prints a table with ratios and writes bench/results.json.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import autocannon from "autocannon";
import { FAKE_OPENAI_KEY, startFakeOpenAI } from "../tests/fakes/openai";
import { bareWorker, direct, ours, portkey, type Target } from "./targets";

const root = path.resolve(import.meta.dirname, "..");

/** A plain-text table (console.table is not allowed by the lint rules). */
function table(rows: Record<string, Record<string, unknown>>): string {
  const columns = [...new Set(Object.values(rows).flatMap((r) => Object.keys(r)))];
  const cells = [
    ["", ...columns],
    ...Object.entries(rows).map(([k, r]) => [k, ...columns.map((c) => String(r[c] ?? ""))]),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i + 1]!.length)));
  const first = Math.max(...cells.map((row) => row[0]!.length));
  return cells
    .map((row) => [row[0]!.padEnd(first), ...row.slice(1).map((c, i) => c.padStart(widths[i]!))].join("  "))
    .join("\n");
}
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const STREAM_SAMPLES = 200;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const body = (model: string, stream = false) =>
  JSON.stringify({
    model,
    max_tokens: 16,
    messages: [{ role: "user", content: "Say hello." }],
    ...(stream ? { stream: true } : {}),
  });

type Load = { rps: number; meanMs: number; p50Ms: number; p99Ms: number; errors: number; non2xx: number };

async function load(target: Target, model: string, connections: number, seconds: number): Promise<Load> {
  const result = await autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: "POST",
    connections,
    duration: seconds,
    headers: { "content-type": "application/json", ...target.headers },
    body: body(model),
  });
  return {
    rps: Math.round(result.requests.average),
    meanMs: Number(result.latency.average.toFixed(2)),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Mean time to the first body chunk of a streamed completion, sequentially. */
async function firstByte(target: Target, model: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < STREAM_SAMPLES; i++) {
    const started = performance.now();
    const res = await fetch(`${target.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...target.headers },
      body: body(model, true),
    });
    const reader = res.body!.getReader();
    await reader.read();
    times.push(performance.now() - started);
    while (!(await reader.read()).done) {}
  }
  times.sort((a, b) => a - b);
  const trimmed = times.slice(0, Math.floor(times.length * 0.95));
  return Number((trimmed.reduce((a, b) => a + b, 0) / trimmed.length).toFixed(2));
}

type UsageRow = { requests: number; inputTokens: number; outputTokens: number; costMicros: number };

async function usageTotals(target: Awaited<ReturnType<typeof ours>>): Promise<UsageRow> {
  const res = await fetch(`${target.origin}/api/usage?groupBy=model`, { headers: { cookie: target.cookie } });
  const { rows } = (await res.json()) as { rows: UsageRow[] };
  return rows.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      inputTokens: t.inputTokens + r.inputTokens,
      outputTokens: t.outputTokens + r.outputTokens,
      costMicros: t.costMicros + r.costMicros,
    }),
    { requests: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 },
  );
}

/** 1,000 requests at once; then the usage API must show exactly 1,000 more requests and their exact tokens. */
async function meteringCheck(target: Awaited<ReturnType<typeof ours>>) {
  const before = await usageTotals(target);
  const started = performance.now();
  const responses = await Promise.all(
    Array.from({ length: 1_000 }, () =>
      fetch(`${target.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...target.headers },
        body: body("openai/gpt-4o-mini"),
      }).then(async (r) => ({ status: r.status, json: r.status === 200 ? await r.json() : await r.text() })),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = responses.filter((r) => r.status === 200);
  const sent = ok.reduce(
    (t, r) => {
      const u = (r.json as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
      return { input: t.input + u.prompt_tokens, output: t.output + u.completion_tokens };
    },
    { input: 0, output: 0 },
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = await usageTotals(target);
  const rows = after.requests - before.requests;
  return {
    concurrent: 1_000,
    ok: ok.length,
    seconds: Number(seconds.toFixed(2)),
    rowsAdded: rows,
    inputTokensMatch: after.inputTokens - before.inputTokens === sent.input,
    outputTokensMatch: after.outputTokens - before.outputTokens === sent.output,
    exact: rows === 1_000 && after.inputTokens - before.inputTokens === sent.input,
  };
}

async function main() {
  if (!process.argv.includes("--no-build")) {
    console.info("Building…");
    execFileSync(path.join(root, "node_modules/.bin/react-router"), ["build"], {
      cwd: root,
      stdio: "ignore",
    });
  }
  const fake = await startFakeOpenAI();
  const targets: { target: Target; model: string }[] = [];
  targets.push({ target: direct(fake.url, FAKE_OPENAI_KEY), model: "gpt-4o-mini" });
  targets.push({
    target: await bareWorker(await freePort(), fake.url, FAKE_OPENAI_KEY),
    model: "gpt-4o-mini",
  });
  const our = await ours(await freePort(), {
    OPENAI_BASE_URL: `${fake.url}/v1`,
    OPENAI_API_KEY: FAKE_OPENAI_KEY,
  });
  targets.push({ target: our, model: "openai/gpt-4o-mini" });
  targets.push({ target: await portkey(await freePort(), fake.url, FAKE_OPENAI_KEY), model: "gpt-4o-mini" });

  const results: Record<string, { c32: Load; c1: Load; streamFirstByteMs: number }> = {};
  for (const { target, model } of targets) {
    console.info(`Measuring ${target.name}…`);
    await load(target, model, 32, 2); // warm-up
    const c32 = await load(target, model, 32, DURATION_S);
    const c1 = await load(target, model, 1, Math.max(3, DURATION_S / 2));
    const streamFirstByteMs = await firstByte(target, model);
    results[target.name] = { c32, c1, streamFirstByteMs };
  }
  console.info("Checking metering with 1,000 concurrent requests…");
  const metering = await meteringCheck(our);

  const [d, bare, o, peer] = targets.map((t) => results[t.target.name]!);
  const ratios = {
    oursOverPeerRps: Number((o!.c32.rps / peer!.c32.rps).toFixed(2)),
    oursOverBareWorkerRps: Number((o!.c32.rps / bare!.c32.rps).toFixed(2)),
    oursOverDirectRps: Number((o!.c32.rps / d!.c32.rps).toFixed(2)),
    bareWorkerOverPeerRps: Number((bare!.c32.rps / peer!.c32.rps).toFixed(2)),
    addedMeanLatencyC1Ms: Number((o!.c1.meanMs - d!.c1.meanMs).toFixed(2)),
    addedMeanLatencyC1VsBareWorkerMs: Number((o!.c1.meanMs - bare!.c1.meanMs).toFixed(2)),
    addedStreamFirstByteMs: Number((o!.streamFirstByteMs - d!.streamFirstByteMs).toFixed(2)),
    addedStreamFirstByteVsBareWorkerMs: Number((o!.streamFirstByteMs - bare!.streamFirstByteMs).toFixed(2)),
  };
  const targetsMet = {
    "rps ≥ 1.7× peer": ratios.oursOverPeerRps >= 1.7,
    "rps ≥ 0.8× bare Worker": ratios.oursOverBareWorkerRps >= 0.8,
    "≤ 1 ms added mean latency at c=1": ratios.addedMeanLatencyC1Ms <= 1,
    "≤ 1 ms added to first byte": ratios.addedStreamFirstByteMs <= 1,
    "zero errors": Object.values(results).every(
      (r) => r.c32.errors + r.c32.non2xx + r.c1.errors + r.c1.non2xx === 0,
    ),
    "1,000 concurrent → 1,000 exact rows": metering.exact,
  };

  console.info("");
  console.info(
    table(
      Object.fromEntries(
        Object.entries(results).map(([name, r]) => [
          name,
          {
            "req/s c=32": r.c32.rps,
            "p50 ms c=32": r.c32.p50Ms,
            "mean ms c=1": r.c1.meanMs,
            "stream 1st byte ms": r.streamFirstByteMs,
            errors: r.c32.errors + r.c1.errors,
            non2xx: r.c32.non2xx + r.c1.non2xx,
          },
        ]),
      ),
    ),
  );
  console.info(`\n${table({ ratio: ratios })}`);
  console.info(`\n${table({ met: targetsMet })}`);
  console.info(`\n${table({ metering })}`);
  const out = {
    at: new Date().toISOString(),
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    durationSeconds: DURATION_S,
    results,
    ratios,
    targetsMet,
    metering,
  };
  writeFileSync(path.join(root, "bench/results.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.info("Wrote bench/results.json");
  for (const { target } of targets) await target.close();
  await fake.close();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
