// What credit enforcement costs per request, measured in workerd with local D1 (docs/decisions/040):
// the reservation (on the response path), the settlement (after the response), against the baselines
// of one D1 round trip and one Durable Object RPC. Prints the figures (`npm run bench:workerd`); a
// measurement, not a test: timings are never asserted (ADR 005).
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { setBalance, uid } from "../../tests/pool/support/billing-helpers";
import { newUser } from "../../tests/pool/support/helpers";
import { usageRow } from "../../tests/pool/support/request-log";
import { reserveCredit } from "../../worker/billing/credits";
import { recordUsage } from "../../worker/usage/record";

const N = 200;

async function timeEach(
  run: () => Promise<unknown>,
): Promise<{ meanMs: number; p50Ms: number; p95Ms: number }> {
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / N;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { meanMs: round(mean), p50Ms: round(samples[N / 2]!), p95Ms: round(samples[Math.floor(N * 0.95)]!) };
}

it("what reserving and settling credit cost", async () => {
  const user = await newUser();
  await setBalance(user.id, 1_000_000_000);
  const stub = env.ACCOUNT.getByName(user.id);
  const held: Awaited<ReturnType<typeof reserveCredit>>[] = [];
  const results = {
    "D1 SELECT 1 (baseline)": await timeEach(() => env.DB.prepare("SELECT 1").first()),
    "DO RPC ping (baseline)": await timeEach(() => stub.ping()),
    reserveCredit: await timeEach(async () => held.push(await reserveCredit(env, user.id, 6_000))),
    // The settlement rides the request's usage row in the next batch (ADR 026), so this includes the batch wait.
    "recordUsage (settles)": await timeEach(async () =>
      recordUsage(env, usageRow(user.id, null, { id: uid("usage"), costMicros: 1_000 }), held.pop()!),
    ),
  };
  console.info(`credit enforcement latency (workerd, local D1, n=${N}):`);
  for (const [name, r] of Object.entries(results)) {
    console.info(`  ${name.padEnd(24)} mean ${r.meanMs} ms  p50 ${r.p50Ms} ms  p95 ${r.p95Ms} ms`);
  }
});
