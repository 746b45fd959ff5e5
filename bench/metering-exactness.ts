// Metering exactness over real HTTP (issue 27): many streamed requests at once against the built Worker, a share of
// them hung up by the client at a random point of the stream (a real socket closed mid-response, as a browser tab
// or an SDK's abort does), then every request must have exactly one usage row and the balance must move by exactly
// their cost. `npm run bench` calls `abortedStreamExactness` (the hot-path helper wires it into bench/run.ts);
// `npx tsx bench/metering-exactness.ts [requests] [abortShare]` runs it alone.
// The object-outage figure (rows lost while the account object fails for 10 s) runs in workerd, where the failure
// can be injected: `npx vitest run --project workers tests/pool/usage/usage-handoff.test.ts -t "10 s"` (it passes
// only with 0 rows lost and each applied once).
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { freePort } from "../scripts/ports";
import { FAKE_OPENAI_KEY, startFakeOpenAI } from "../tests/fakes/openai";
import { MAX_OPEN_STREAMS_PER_KEY } from "../worker/ai/rate-limit";
import { type Ours, ours } from "./targets";

export type AbortedStreamFigures = {
  requests: number;
  /** Requests whose client hung up before the end of the stream. */
  aborted: number;
  /** Requests the provider received: a client that hangs up before the Worker forwarded its request costs nothing. */
  forwarded: number;
  /** Usage rows the run added. */
  rows: number;
  /** Forwarded requests with no row, and rows beyond one per request sent. */
  missing: number;
  duplicates: number;
  /** Σ cost of the rows = what the balance lost (micro-USD); the difference should be 0. */
  balanceDifferenceMicros: number;
  seconds: number;
};

type Sent = { abortAfter: number | undefined };
const fakeScript = async (fakeUrl: string, script: Record<string, unknown>) => {
  const res = await fetch(`${fakeUrl}/__script`, { method: "POST", body: JSON.stringify(script) });
  if (res.status !== 204) throw new Error(`fake script refused: ${res.status}`);
};

/**
 * One request (streamed, or whole when `whole`); with `abortAfter`, the socket is destroyed after that many body
 * chunks arrived — for a whole answer, before the provider answered (it waits 40 ms before its headers).
 */
function requestOnce(
  target: Ours,
  marker: string,
  whole: boolean,
  abortAfter: number | undefined,
): Promise<void> {
  const url = new URL("/v1/chat/completions", target.url);
  const body = JSON.stringify({
    model: "openai/gpt-4o-mini",
    stream: !whole,
    messages: [{ role: "user", content: `${marker}-${whole ? "whole" : "stream"} count to nine` }],
  });
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: "POST", headers: { ...target.headers, "content-type": "application/json" } },
      (res) => {
        let chunks = 0;
        const done = () => resolve();
        if (abortAfter === 0) {
          req.destroy();
          return done();
        }
        res.on("data", () => {
          chunks += 1;
          if (abortAfter !== undefined && chunks >= abortAfter) {
            req.destroy();
            done();
          }
        });
        res.on("end", done);
        res.on("error", done);
        res.on("close", done);
      },
    );
    req.on("error", () => resolve());
    req.end(body);
    if (whole && abortAfter !== undefined)
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 10);
  });
}

/** The account's requests and cost so far (the usage API moves the object's buffered rows to D1 first). */
async function usage(target: Ours): Promise<{ requests: number; costMicros: number }> {
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const res = await fetch(`${target.origin}/api/usage?groupBy=model&from=${from}`, {
    headers: { cookie: target.cookie },
  });
  const { rows } = (await res.json()) as { rows: { requests: number; costMicros: number }[] };
  return rows.reduce(
    (t, r) => ({ requests: t.requests + r.requests, costMicros: t.costMicros + r.costMicros }),
    { requests: 0, costMicros: 0 },
  );
}

/** How many of the run's requests reached the provider (the fake records what it received). */
async function forwardedCount(fakeUrl: string, marker: string): Promise<number> {
  const res = await fetch(`${fakeUrl}/__requests?match=${encodeURIComponent(marker)}`);
  return ((await res.json()) as unknown[]).length;
}

async function balance(target: Ours): Promise<number> {
  const res = await fetch(`${target.origin}/api/billing`, { headers: { cookie: target.cookie } });
  const json = (await res.json()) as { balanceMicros?: number; balance?: { micros?: number } };
  return json.balanceMicros ?? json.balance?.micros ?? Number.NaN;
}

/**
 * `requests` requests, 32 at a time (three in four streamed), `abortShare` of them hung up: a stream after a random
 * number of chunks (0–9: before the first, mid-way, between the last content chunk and [DONE]), a whole answer
 * before the provider answered; then waits up to `settleMs` for the rows.
 */
export async function abortedStreamExactness(
  target: Ours,
  fakeUrl: string,
  options: { requests?: number; abortShare?: number; concurrency?: number; settleMs?: number } = {},
): Promise<AbortedStreamFigures> {
  const requests = options.requests ?? 1_000;
  const abortShare = options.abortShare ?? 0.25;
  const marker = `exactness-${crypto.randomUUID()}`;
  await fakeScript(fakeUrl, { match: `${marker}-stream`, times: requests, chunkDelayMs: 3 });
  await fakeScript(fakeUrl, { match: `${marker}-whole`, times: requests, delayMs: 40 });
  const before = { ...(await usage(target)), balance: await balance(target) };
  const started = Date.now();
  // As many at once as a key may hold streams open (MAX_OPEN_STREAMS_PER_KEY), each client starting its next
  // request as soon as its last one ended or was hung up.
  const sent: Sent[] = [];
  const client = async () => {
    while (sent.length < requests) {
      const abortAfter = Math.random() < abortShare ? Math.floor(Math.random() * 10) : undefined;
      const whole = sent.length % 4 === 3;
      sent.push({ abortAfter });
      await requestOnce(target, marker, whole, abortAfter);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? MAX_OPEN_STREAMS_PER_KEY }, client));
  const until = Date.now() + (options.settleMs ?? 15_000);
  let now = await usage(target);
  const expected = async () => Math.min(requests, await forwardedCount(fakeUrl, marker));
  while (now.requests - before.requests < (await expected()) && Date.now() <= until) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    now = await usage(target);
  }
  const seconds = (Date.now() - started) / 1000;
  // The balance reflects the object's buffered debits once they reach the ledger (about a second).
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const after = await balance(target);
  const rows = now.requests - before.requests;
  const forwarded = await forwardedCount(fakeUrl, marker);
  return {
    requests,
    aborted: sent.filter((s) => s.abortAfter !== undefined).length,
    forwarded,
    rows,
    missing: Math.max(0, forwarded - rows),
    duplicates: Math.max(0, rows - forwarded),
    balanceDifferenceMicros: before.balance - after - (now.costMicros - before.costMicros),
    seconds,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fake = await startFakeOpenAI();
  const target = await ours(Number(process.env.PORT ?? (await freePort())), {
    OPENAI_BASE_URL: `${fake.url}/v1`,
    OPENAI_API_KEY: FAKE_OPENAI_KEY,
  });
  try {
    const figures = await abortedStreamExactness(target, fake.url, {
      requests: Number(process.argv[2] ?? 1_000),
      abortShare: Number(process.argv[3] ?? 0.25),
    });
    console.info(JSON.stringify(figures));
  } finally {
    await target.close();
    await fake.close();
  }
}
