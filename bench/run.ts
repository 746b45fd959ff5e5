// `npm run bench`: our Worker against the fake upstream directly, a bare forwarding Worker (the runtime's
// ceiling), the same behind our asset router, and the Portkey peer — throughput at c=32 in interleaved rounds
// (each target measured several times, the order reversed every round, so a machine that gets busier or quieter
// moves every target alike; medians and spreads reported), workerd CPU per request from /proc (the headline: other
// load on the machine does not skew it as it does req/s), latency at c=1, streamed first byte, exact metering
// of 1,000 concurrent requests with D1 bytes per request, awaited round trips per request in steady state, and
// many isolates driving one account's object (bench/workerd/many-isolates.measure.ts). Prints a table with
// ratios, writes bench/results.json and appends the run (date, commit, load average, headline figures) to its
// history, so a regression shows as a diff.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg as osLoadavg } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { freePort } from "../scripts/ports";
import { FAKE_OPENAI_KEY, startFakeOpenAI } from "../tests/fakes/openai";
import { TIMING_REQUEST_HEADER } from "../worker/ai/timing";
import { HOUR_MS } from "../worker/time";
import { workerdCpu } from "./cpu";
import { abortedStreamExactness } from "./metering-exactness";
import { bareWorker, direct, ours, portkey, type Target } from "./targets";
import { tokenizerCpu } from "./tokenizer-cpu";
import { validationCpu } from "./validation-cpu";

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
/** Seconds of each c=32 load, and how many interleaved rounds of them per target. */
const DURATION_S = Number(process.env.BENCH_DURATION ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Target: ours costs at most this much workerd CPU per request over the bare Worker behind the asset router. */
const CPU_OVER_ROUTER_TARGET_MS = 0.35;
const STREAM_SAMPLES = 200;

const body = (model: string, stream = false) =>
  JSON.stringify({
    model,
    max_tokens: 16,
    messages: [{ role: "user", content: "Say hello." }],
    ...(stream ? { stream: true } : {}),
  });

type Load = {
  rps: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** CPU of the target's workerd per request (null for targets not under workerd): other load does not skew it. */
  workerdCpuMsPerRequest: number | null;
};

async function load(target: Target, model: string, connections: number, seconds: number): Promise<Load> {
  const cpu = target.workerd ? workerdCpu() : undefined;
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
    workerdCpuMsPerRequest: cpu ? Number((cpu.stop() / Math.max(1, result.requests.total)).toFixed(3)) : null,
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

/** The usage totals once they stopped moving (rows still in a batch or a buffer have reached D1). */
async function settledTotals(target: Awaited<ReturnType<typeof ours>>, atLeast = 0): Promise<UsageRow> {
  const until = Date.now() + 20_000;
  let last = await usageTotals(target);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    const now = await usageTotals(target);
    if ((now.requests === last.requests && now.requests >= atLeast) || Date.now() > until) return now;
    last = now;
  }
}

type Stages = {
  requests: number;
  authMs: number;
  bodyMs: number;
  creditMs: number;
  upstreamMs: number;
  objectReservations: number;
  keyLookups: number;
  policyReads: number;
  awaitedCallsPerRequest: number;
};

/**
 * Sequential requests read back their Server-Timing: per-stage time, and where each awaited-capable step was
 * answered — the credit (lease or object), the key (cache or D1), the logging policy (cache or D1). The first
 * request is a warm-up and not counted (a fresh isolate's first request reserves in the object).
 */
async function stages(target: Awaited<ReturnType<typeof ours>>, n = 300): Promise<Stages> {
  const sum = {
    requests: n,
    authMs: 0,
    bodyMs: 0,
    creditMs: 0,
    upstreamMs: 0,
    objectReservations: 0,
    keyLookups: 0,
    policyReads: 0,
  };
  for (let i = -1; i < n; i++) {
    const res = await fetch(`${target.url}/v1/chat/completions`, {
      method: "POST",
      // Server-Timing is sent only to a client that asks for it.
      headers: { "content-type": "application/json", [TIMING_REQUEST_HEADER]: "1", ...target.headers },
      body: body("openai/gpt-4o-mini"),
    });
    await res.arrayBuffer();
    const timing = res.headers.get("server-timing") ?? "";
    if (i < 0) continue; // the warm-up
    const dur = (name: string) => Number(new RegExp(`${name};dur=(\\d+)`).exec(timing)?.[1] ?? 0);
    sum.authMs += dur("auth");
    sum.bodyMs += dur("body");
    sum.creditMs += dur("credit");
    sum.upstreamMs += dur("upstream");
    if (timing.includes("desc=object")) sum.objectReservations += 1;
    if (/auth;dur=\d+;desc=d1/.test(timing)) sum.keyLookups += 1;
    if (timing.includes("policy;desc=d1")) sum.policyReads += 1;
  }
  const mean = (x: number) => Number((x / n).toFixed(3));
  return {
    requests: n,
    authMs: mean(sum.authMs),
    bodyMs: mean(sum.bodyMs),
    creditMs: mean(sum.creditMs),
    upstreamMs: mean(sum.upstreamMs),
    objectReservations: sum.objectReservations,
    keyLookups: sum.keyLookups,
    policyReads: sum.policyReads,
    awaitedCallsPerRequest: mean(sum.objectReservations + sum.keyLookups + sum.policyReads),
  };
}

/** 1,000 requests at once; then the usage API must show exactly 1,000 more requests and their exact tokens. */
async function meteringCheck(target: Awaited<ReturnType<typeof ours>>) {
  // Earlier runs' last rows may still be in a batch or the object's buffer: wait until they reached D1.
  const before = await settledTotals(target);
  await flushLedger(target);
  const bytesBefore = await target.d1Bytes();
  const since = Date.now();
  const rowsBefore = await target.rowBytes(since);
  const started = performance.now();
  const responses = await Promise.all(
    Array.from({ length: 1_000 }, () =>
      fetch(`${target.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...target.headers },
        body: body("openai/gpt-4o-mini"),
      })
        .then(async (r) => ({ status: r.status, json: r.status === 200 ? await r.json() : await r.text() }))
        // A connection the machine dropped is counted, not fatal: the check then reports it as not exact.
        .catch(() => ({ status: 0, json: null })),
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
  const after = await settledTotals(target, before.requests + ok.length);
  const rows = after.requests - before.requests;
  await flushLedger(target);
  const bytesAfter = await target.d1Bytes();
  const rowsAfter = await target.rowBytes(since);
  const perRequest = (table: string) =>
    Number(
      (
        ((rowsAfter[table]?.bytes ?? 0) - (table === "usage_events" ? 0 : (rowsBefore[table]?.bytes ?? 0))) /
        1_000
      ).toFixed(1),
    );
  const raw = perRequest("usage_events");
  const kept = perRequest("usage_hourly") + perRequest("credit_ledger");
  const hour = since - (since % HOUR_MS);
  const hourKept = await target.hourKept(hour);
  return {
    concurrent: 1_000,
    ok: ok.length,
    connectionErrors: responses.filter((r) => r.status === 0).length,
    seconds: Number(seconds.toFixed(2)),
    rowsAdded: rows,
    inputTokensMatch: after.inputTokens - before.inputTokens === sent.input,
    outputTokensMatch: after.outputTokens - before.outputTokens === sent.output,
    exact: rows === 1_000 && after.inputTokens - before.inputTokens === sent.input,
    /** D1's logical size growth (page count × page size) over these 1,000 requests, indexes included. */
    d1BytesPerRequest: Math.round((bytesAfter - bytesBefore) / 1_000),
    /** Record bytes per request: the raw usage row (deleted after USAGE_RETENTION_DAYS)… */
    rawUsageRowBytesPerRequest: raw,
    /** …and what stays beyond it, added by these 1,000 (0 when their hour's rows already existed)… */
    keptBytesAddedPerRequest: Number(kept.toFixed(1)),
    /** …amortised: this hour's aggregate rows and ledger entry over every request of the hour so far. */
    keptBytesPerRequest: Number((hourKept.bytes / Math.max(1, hourKept.requests)).toFixed(2)),
    requestsThisHour: hourKept.requests,
    /** Flush ids (pruned after a day). */
    flushIdBytesPerRequest: perRequest("credit_flushes"),
    ledgerEntriesAdded: (rowsAfter.credit_ledger?.rows ?? 0) - (rowsBefore.credit_ledger?.rows ?? 0),
  };
}

/** GET /api/billing moves the account object's buffered debits into the D1 ledger first. */
async function flushLedger(target: Awaited<ReturnType<typeof ours>>): Promise<void> {
  await (await fetch(`${target.origin}/api/billing`, { headers: { cookie: target.cookie } })).arrayBuffer();
}

type ManyIsolates = {
  ratio: number;
  leases: { rps: number; balanceExact: boolean; rowsExact: boolean; awaitedPerRequest: number };
  perRequestReservation: { rps: number; balanceExact: boolean; rowsExact: boolean };
  tightBalance: { neverOverspent: boolean; balanceExact: boolean; served: number; refused: number };
};

/** Many simulated isolates drive one account's real object in workerd (bench/workerd/many-isolates.measure.ts). */
function manyIsolates(): ManyIsolates | { error: string } {
  try {
    const out = execFileSync(
      path.join(root, "node_modules/.bin/vitest"),
      ["run", "--config", "bench/workerd/vitest.config.ts", "bench/workerd/many-isolates.measure.ts"],
      { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 900_000 },
    );
    const line = /MANY_ISOLATES (\{.*\})/.exec(out)?.[1];
    return line ? (JSON.parse(line) as ManyIsolates) : { error: "no figure printed" };
  } catch (error) {
    return { error: error instanceof Error ? error.name : "failed" };
  }
}

type ObjectOutage = {
  rows: number;
  outageSeconds: number;
  lost: number;
  appliedTwice: number;
  balanceDifferenceMicros: number;
};

/** Rows lost while the account object refuses usage for 10 s (bench/workerd/object-outage.measure.ts). */
function objectOutage(): ObjectOutage | { error: string } {
  try {
    const out = execFileSync(
      path.join(root, "node_modules/.bin/vitest"),
      ["run", "--config", "bench/workerd/vitest.config.ts", "bench/workerd/object-outage.measure.ts"],
      { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 },
    );
    const line = /OBJECT_OUTAGE (\{.*\})/.exec(out)?.[1];
    return line ? (JSON.parse(line) as ObjectOutage) : { error: "no figure printed" };
  } catch (error) {
    return { error: error instanceof Error ? error.name : "failed" };
  }
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
  targets.push({
    target: await bareWorker(await freePort(), fake.url, FAKE_OPENAI_KEY, { withAssets: true }),
    model: "gpt-4o-mini",
  });
  const our = await ours(await freePort(), {
    OPENAI_BASE_URL: `${fake.url}/v1`,
    OPENAI_API_KEY: FAKE_OPENAI_KEY,
  });
  targets.push({ target: our, model: "openai/gpt-4o-mini" });
  targets.push({ target: await portkey(await freePort(), fake.url, FAKE_OPENAI_KEY), model: "gpt-4o-mini" });

  const loadAtStart = loadavg();
  const rounds = new Map<Target, Load[]>(targets.map(({ target }) => [target, []]));
  for (const { target, model } of targets) await load(target, model, 32, 2); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const { target, model } of order) {
      console.info(`Round ${round + 1}/${ROUNDS}: ${target.name}…`);
      rounds.get(target)!.push(await load(target, model, 32, DURATION_S));
    }
  }
  const results: Record<string, { c32: Load; c32Spread: Spread; c1: Load; streamFirstByteMs: number }> = {};
  for (const { target, model } of targets) {
    console.info(`Latency and first byte: ${target.name}…`);
    const runs = rounds.get(target)!;
    const c1 = await load(target, model, 1, Math.max(3, DURATION_S / 2));
    const streamFirstByteMs = await firstByte(target, model);
    results[target.name] = { c32: medianLoad(runs), c32Spread: spread(runs), c1, streamFirstByteMs };
  }
  console.info("Reading per-stage timings…");
  const stageTable = await stages(our);
  console.info("Checking metering with 1,000 concurrent requests…");
  const metering = await meteringCheck(our);
  console.info("Aborting a share of streamed requests mid-stream (bench/metering-exactness.ts)…");
  const abortedStreams = await abortedStreamExactness(our, fake.url).catch((error: unknown) => ({
    error: error instanceof Error ? error.message : "failed",
  }));
  console.info("Tokenizer CPU: loading, per count, per request in workerd (bench/tokenizer-cpu.ts)…");
  const tokenizer = await tokenizerCpu(our, root).catch((error: unknown) => ({
    error: error instanceof Error ? error.message : "failed",
  }));
  console.info(
    "Body validation CPU: zod and the compiled predicate, small and 200-message bodies (bench/validation-cpu.ts)…",
  );
  const validation = await validationCpu();
  const loadAverage = loadavg();
  for (const { target } of targets) await target.close();
  await fake.close();
  console.info("Driving one account's object from many simulated isolates (workerd)…");
  const many = manyIsolates();
  console.info("Failing the account object for 10 s while 200 requests are metered (workerd)…");
  const outage = objectOutage();

  const [d, bare, bareAssets, o, peer] = targets.map((t) => results[t.target.name]!);
  const ratios = {
    oursOverPeerRps: Number((o!.c32.rps / peer!.c32.rps).toFixed(2)),
    oursOverBareWorkerRps: Number((o!.c32.rps / bare!.c32.rps).toFixed(2)),
    oursOverDirectRps: Number((o!.c32.rps / d!.c32.rps).toFixed(2)),
    /** CPU per request at c=32, ours over the bare Worker's (both under workerd): the load-independent ratio. */
    cpuPerRequestOursOverBareWorker: Number(
      ((o!.c32.workerdCpuMsPerRequest ?? 0) / (bare!.c32.workerdCpuMsPerRequest ?? 1)).toFixed(2),
    ),
    /** Against the bare Worker behind the same asset router as ours (what the dashboard in one Worker costs). */
    oursOverBareWorkerWithAssetsRps: Number((o!.c32.rps / bareAssets!.c32.rps).toFixed(2)),
    /** workerd CPU per request ours minus the bare Worker behind the same asset router (ms): the headline. */
    cpuMsPerRequestOverBareWorkerWithAssets: Number(
      ((o!.c32.workerdCpuMsPerRequest ?? 0) - (bareAssets!.c32.workerdCpuMsPerRequest ?? 0)).toFixed(3),
    ),
    cpuPerRequestOursOverBareWorkerWithAssets: Number(
      ((o!.c32.workerdCpuMsPerRequest ?? 0) / (bareAssets!.c32.workerdCpuMsPerRequest ?? 1)).toFixed(2),
    ),
    addedMeanLatencyC1VsBareWorkerWithAssetsMs: Number((o!.c1.meanMs - bareAssets!.c1.meanMs).toFixed(2)),
    bareWorkerOverPeerRps: Number((bare!.c32.rps / peer!.c32.rps).toFixed(2)),
    addedMeanLatencyC1Ms: Number((o!.c1.meanMs - d!.c1.meanMs).toFixed(2)),
    addedMeanLatencyC1VsBareWorkerMs: Number((o!.c1.meanMs - bare!.c1.meanMs).toFixed(2)),
    addedStreamFirstByteMs: Number((o!.streamFirstByteMs - d!.streamFirstByteMs).toFixed(2)),
    addedStreamFirstByteVsBareWorkerMs: Number((o!.streamFirstByteMs - bare!.streamFirstByteMs).toFixed(2)),
  };
  const targetsMet = {
    [`CPU/request ≤ bare Worker + asset router + ${CPU_OVER_ROUTER_TARGET_MS} ms`]:
      ratios.cpuMsPerRequestOverBareWorkerWithAssets <= CPU_OVER_ROUTER_TARGET_MS,
    "rps ≥ 1.7× peer (medians)": ratios.oursOverPeerRps >= 1.7,
    "rps ≥ 0.8× bare Worker + asset router (medians)": ratios.oursOverBareWorkerWithAssetsRps >= 0.8,
    "≤ 1 ms added mean latency at c=1": ratios.addedMeanLatencyC1Ms <= 1,
    "≤ 1 ms added to first byte": ratios.addedStreamFirstByteMs <= 1,
    "zero errors": Object.values(results).every(
      (r) => r.c32Spread.errors + r.c32Spread.non2xx + r.c1.errors + r.c1.non2xx === 0,
    ),
    "1,000 concurrent → 1,000 exact rows": metering.exact,
    "streams cut by the client: one row each, balance exact":
      "rows" in abortedStreams &&
      abortedStreams.missing === 0 &&
      abortedStreams.duplicates === 0 &&
      abortedStreams.balanceDifferenceMicros === 0,
    "object down 10 s: 0 rows lost, none twice, balance exact":
      "lost" in outage &&
      outage.lost === 0 &&
      outage.appliedTwice === 0 &&
      outage.balanceDifferenceMicros === 0,
    "0 awaited DO/D1 calls per request (steady state)": stageTable.awaitedCallsPerRequest === 0,
    "≤ 50 D1 bytes per request amortised (kept past retention)": metering.keptBytesPerRequest <= 50,
    "many isolates: balance exact":
      "ratio" in many && many.leases.balanceExact && many.tightBalance.neverOverspent,
    "many isolates: ≥ 5× the per-request rate": "ratio" in many && many.ratio >= 5,
  };

  const commit = gitCommit();
  console.info("");
  console.info(
    `CPU per request (workerd, /proc): ours ${o!.c32.workerdCpuMsPerRequest} ms, bare Worker behind the asset router ${bareAssets!.c32.workerdCpuMsPerRequest} ms: +${ratios.cpuMsPerRequestOverBareWorkerWithAssets} ms (target ≤ +${CPU_OVER_ROUTER_TARGET_MS})`,
  );
  console.info(
    table(
      Object.fromEntries(
        Object.entries(results).map(([name, r]) => [
          name,
          {
            "workerd CPU ms/req": r.c32.workerdCpuMsPerRequest ?? "",
            "CPU spread": r.c32Spread.cpuMs ? r.c32Spread.cpuMs.join("–") : "",
            "req/s c=32 (median)": r.c32.rps,
            "req/s spread": r.c32Spread.rps.join("–"),
            "p50 ms c=32": r.c32.p50Ms,
            "mean ms c=1": r.c1.meanMs,
            "stream 1st byte ms": r.streamFirstByteMs,
            errors: r.c32Spread.errors + r.c1.errors,
            non2xx: r.c32Spread.non2xx + r.c1.non2xx,
          },
        ]),
      ),
    ),
  );
  console.info(`\n${table({ ratio: ratios })}`);
  console.info(`\n${table({ met: targetsMet })}`);
  console.info(`\n${table({ metering })}`);
  console.info(`\nstreams cut by the client: ${JSON.stringify(abortedStreams)}`);
  console.info(`\naccount object down: ${JSON.stringify(outage)}`);
  console.info(`\ntokenizer CPU: ${JSON.stringify(tokenizer)}`);
  console.info(
    `\n${table({
      "body validation, small (µs per call, Node)": validation.small,
      "body validation, 200 messages (µs per call, Node)": validation.long,
    })}`,
  );
  console.info(`\n${table({ "stages (mean ms, sequential)": stageTable })}`);
  console.info(`\nmany isolates, one account: ${JSON.stringify(many)}`);
  console.info(
    `load average at the start: ${loadAtStart.join(", ")}; at the end: ${loadAverage.join(", ")}; commit ${commit}`,
  );
  const at = new Date().toISOString();
  const run = {
    at,
    commit,
    machine: { cpus: cpus().length, node: process.version },
    durationSeconds: DURATION_S,
    rounds: ROUNDS,
    results,
    ratios,
    targetsMet,
    metering,
    abortedStreams,
    objectOutage: outage,
    tokenizer,
    validation,
    stages: stageTable,
    manyIsolates: many,
    loadAverage,
    loadAverageAtStart: loadAtStart,
  };
  const file = path.join(root, "bench/results.json");
  const history = [...previousHistory(file), historyEntry(run)];
  writeFileSync(file, `${JSON.stringify({ ...run, history }, null, 2)}\n`);
  console.info("Wrote bench/results.json (this run, and its line appended to the history)");
}

type Run = {
  at: string;
  commit: string;
  loadAverage: number[];
  loadAverageAtStart?: number[];
  results: Record<string, { c32: Load; c32Spread?: Spread; c1: Load; streamFirstByteMs: number }>;
  ratios: Record<string, number>;
  targetsMet: Record<string, boolean>;
};

/** One line of history: what a regression would show. */
function historyEntry(run: Run) {
  return {
    at: run.at,
    commit: run.commit,
    loadAverage: run.loadAverage,
    ...(run.loadAverageAtStart ? { loadAverageAtStart: run.loadAverageAtStart } : {}),
    cpuMsPerRequest: Object.fromEntries(
      Object.entries(run.results).flatMap(([name, r]) =>
        r.c32.workerdCpuMsPerRequest === null ? [] : [[name, r.c32.workerdCpuMsPerRequest]],
      ),
    ),
    rps: Object.fromEntries(Object.entries(run.results).map(([name, r]) => [name, r.c32.rps])),
    rpsSpread: Object.fromEntries(
      Object.entries(run.results).flatMap(([name, r]) => (r.c32Spread ? [[name, r.c32Spread.rps]] : [])),
    ),
    ratios: run.ratios,
    targetsMissed: Object.entries(run.targetsMet)
      .filter(([, met]) => !met)
      .map(([name]) => name),
  };
}

/** The history so far; a results file from before the history existed becomes its first line. */
function previousHistory(file: string): unknown[] {
  if (!existsSync(file)) return [];
  const old = JSON.parse(readFileSync(file, "utf8")) as Partial<Run> & { history?: unknown[] };
  if (old.history) return old.history;
  return old.at && old.results ? [historyEntry({ ...(old as Run), commit: old.commit ?? "unknown" })] : [];
}

function gitCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") ? "+changes" : ""}`;
  } catch {
    return "unknown";
  }
}

const loadavg = () => osLoadavg().map((x) => Number(x.toFixed(2)));

type Spread = { rps: [number, number]; cpuMs: [number, number] | null; errors: number; non2xx: number };

/** The run with the median req/s (its CPU and latencies with it), of an odd or even number of runs. */
function medianLoad(runs: Load[]): Load {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const cpu = runs.map((r) => r.workerdCpuMsPerRequest).filter((x): x is number => x !== null);
  return { ...mid, workerdCpuMsPerRequest: cpu.length ? median(cpu) : null };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length / 2;
  return Number((s.length % 2 ? s[Math.floor(m)]! : (s[m - 1]! + s[m]!) / 2).toFixed(3));
}

function spread(runs: Load[]): Spread {
  const rps = runs.map((r) => r.rps);
  const cpu = runs.map((r) => r.workerdCpuMsPerRequest).filter((x): x is number => x !== null);
  return {
    rps: [Math.min(...rps), Math.max(...rps)],
    cpuMs: cpu.length ? [Math.min(...cpu), Math.max(...cpu)] : null,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
  };
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
