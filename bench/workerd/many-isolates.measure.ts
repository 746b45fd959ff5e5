// Many isolates, one account (issue 12): simulated isolates drive the account's real Durable Object through its
// RPC, with 1,000+ requests in flight at once — first with credit leases and per-isolate batches (ADR 026), then
// with the old protocol (an awaited reservation in the object and a second call to finish, per request). Prints
// one `MANY_ISOLATES {json}` line that `npm run bench` reads: each protocol's single-account rate, the ratio, and
// whether the balance came out exact. Both are warmed first (each isolate's first lease; the object's balance),
// so the rate is the steady state's; the awaited fallbacks that remain are counted. A measurement, not a test: timings are never asserted (ADR 005).
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { balanceOf, setBalance } from "../../tests/pool/support/billing-helpers";
import { newUser } from "../../tests/pool/support/helpers";
import { meteredRow } from "../../tests/pool/support/isolates";
import { accountObject } from "../../worker/account-object/stub";
import { flushCredits } from "../../worker/billing/credits";
import { IsolateLeases } from "../../worker/billing/lease";
import type { LeaseAsk } from "../../worker/billing/lease-book";
import { BATCH_MAX_ROWS, BATCH_MAX_WAIT_MS } from "../../worker/usage/batcher";
import type { MeteredRow } from "../../worker/usage/row";

const ISOLATES = 16;
const REQUESTS = 3_000;
const IN_FLIGHT = 1_000;
const RESERVE = 2_000;

const cost = (i: number) => 500 + (i % 7) * 100;

const row = (accountId: string, i: number, leaseId: string | null, holdId: string | null) =>
  meteredRow({ accountId, costMicros: cost(i), leaseId, holdId });

/** One simulated isolate: its lease, and its own batch of rows (sent as worker/usage/batcher.ts sends them). */
class Isolate {
  readonly leases: IsolateLeases;
  private rows: MeteredRow[] = [];
  private sending: Promise<void> | undefined;
  calls = 0;

  constructor(private readonly accountId: string) {
    this.leases = new IsolateLeases(async (_env, id, ask: LeaseAsk) => {
      this.calls += 1;
      return accountObject(env, id).meterBatch(id, this.take(), ask);
    });
  }

  private take(): MeteredRow[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  meter(r: MeteredRow): Promise<void> {
    this.rows.push(r);
    if (this.rows.length >= BATCH_MAX_ROWS) return this.send();
    this.sending ??= new Promise((resolve) => setTimeout(resolve, BATCH_MAX_WAIT_MS)).then(() => this.send());
    return this.sending;
  }

  private async send(): Promise<void> {
    this.sending = undefined;
    const rows = this.take();
    if (rows.length === 0) return;
    this.calls += 1;
    await accountObject(env, this.accountId).meterBatch(this.accountId, rows);
  }
}

/** Runs `n` requests with at most IN_FLIGHT at once; returns the seconds taken. */
async function drive(n: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function leased(accountId: string, n: number) {
  const isolates = Array.from({ length: ISOLATES }, () => new Isolate(accountId));
  // Warm-up, not timed: each isolate's first lease (in production, its first request reserves in the object).
  for (const isolate of isolates) await isolate.leases.renew(env, accountId);
  for (const isolate of isolates) isolate.calls = 0;
  let served = 0;
  let refused = 0;
  let charged = 0;
  let awaited = 0;
  const background: Promise<unknown>[] = [];
  const started = performance.now();
  await drive(n, async (i) => {
    const isolate = isolates[i % ISOLATES]!;
    const renewal = isolate.leases.renew(env, accountId);
    if (renewal) background.push(renewal);
    const leaseId = isolate.leases.reserve(accountId, RESERVE, Date.now());
    let holdId: string | null = null;
    if (!leaseId) {
      // No lease yet (or too small): the fallback, one awaited call, as the gateway does.
      awaited += 1;
      isolate.calls += 1;
      const back = isolate.leases.surrender(accountId);
      const held = await accountObject(env, accountId).reserveCredit(accountId, RESERVE, back);
      if (typeof held !== "string") {
        refused += 1;
        return;
      }
      holdId = held;
    }
    served += 1;
    charged += cost(i);
    if (leaseId) isolate.leases.settle(accountId, leaseId, RESERVE, cost(i));
    background.push(isolate.meter(row(accountId, i, leaseId ?? null, holdId)));
  });
  // Timed until the object acknowledged every row: the account's sustained rate, not just the isolates'.
  await Promise.all(background);
  const seconds = (performance.now() - started) / 1000;
  const calls = isolates.reduce((sum, x) => sum + x.calls, 0);
  return {
    seconds,
    served,
    refused,
    charged,
    awaitedPerRequest: awaited / n,
    objectCallsPerRequest: calls / n,
  };
}

async function perRequest(accountId: string, n: number) {
  let served = 0;
  let refused = 0;
  let charged = 0;
  const stub = accountObject(env, accountId);
  // Warm-up, not timed: the object reads the balance from D1 once.
  await stub.creditChanged(accountId);
  const seconds = await drive(n, async (i) => {
    const holdId = await stub.reserveCredit(accountId, RESERVE);
    if (typeof holdId !== "string") {
      refused += 1;
      return;
    }
    served += 1;
    charged += cost(i);
    await stub.meterBatch(accountId, [row(accountId, i, null, holdId)]);
  });
  return { seconds, served, refused, charged, awaitedPerRequest: 1, objectCallsPerRequest: 2 };
}

async function exact(accountId: string, balance: number, charged: number, served: number) {
  await accountObject(env, accountId).flushUsage();
  await flushCredits(env, accountId);
  // The request log is the store of record for rows (ADR 090): the object's window plus its sealed segments.
  const held = await accountObject(env, accountId).requestLogHeld();
  const rows = held.rows + held.sealedRows;
  const after = await balanceOf(accountId);
  return { balanceExact: after === balance - charged, rowsExact: rows === served, balanceAfter: after };
}

it("one account driven by many isolates: leases against a reservation per request", async () => {
  const rate = (r: { served: number; refused: number; seconds: number }) =>
    Math.round((r.served + r.refused) / r.seconds);

  const a = await newUser();
  const BIG = 1_000_000_000;
  await setBalance(a.id, BIG);
  const lease = await leased(a.id, REQUESTS);
  const leaseCheck = await exact(a.id, BIG, lease.charged, lease.served);

  const b = await newUser();
  await setBalance(b.id, BIG);
  const old = await perRequest(b.id, REQUESTS);
  const oldCheck = await exact(b.id, BIG, old.charged, old.served);

  // A balance covering about half of 1,500 concurrent requests' worst cases: never overspent, exact.
  const c = await newUser();
  const TIGHT = 1_500 * RESERVE * 0.5;
  await setBalance(c.id, TIGHT);
  const tight = await leased(c.id, 1_500);
  const tightCheck = await exact(c.id, TIGHT, tight.charged, tight.served);

  const out = {
    isolates: ISOLATES,
    requests: REQUESTS,
    inFlight: IN_FLIGHT,
    leases: { rps: rate(lease), ...lease, ...leaseCheck },
    perRequestReservation: { rps: rate(old), ...old, ...oldCheck },
    ratio: Number((rate(lease) / rate(old)).toFixed(2)),
    tightBalance: {
      balance: TIGHT,
      ...tight,
      ...tightCheck,
      neverOverspent: tightCheck.balanceAfter >= 0 && tight.charged <= TIGHT,
    },
  };
  console.info(`MANY_ISOLATES ${JSON.stringify(out)}`);
}, 600_000);
