// The account's Durable Object fails between a request's credit reservation and its settlement: it
// restarts (its memory gone), or its settlement call throws — before or after doing its work. No debit is
// lost or doubled, and no hold is left to block the balance.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountObject } from "#worker/account-object/stub";
import { reserveCredit } from "#worker/billing/credits";
import { LEASE_TTL_MS } from "#worker/billing/lease-terms";
import worker from "#worker/index";
import { usageRows } from "../support/ai-helpers";
import { balanceOf, ledgerOf, meter, setBalance } from "../support/billing-helpers";
import { envWith, fault, namespaceFailing } from "../support/faults";
import { newKeyUser, ORIGIN } from "../support/helpers";

const BALANCE = 1_000_000;

/** Restarts the account's object: its in-memory state (live holds, cached balance) is gone. */
async function restart(accountId: string): Promise<void> {
  await runInDurableObject(env.ACCOUNT.getByName(accountId), (_i, ctx) =>
    ctx.abort("restart (injected)"),
  ).catch(() => undefined);
}

/** The whole balance can be reserved again: nothing is still held. */
async function nothingHeld(accountId: string, balance: number): Promise<boolean> {
  const hold = await reserveCredit(env, accountId, balance).catch(() => null);
  if (!hold) return false;
  await meter(hold, 0, crypto.randomUUID());
  return true;
}

function chat(key: string): Request {
  return new Request(`${ORIGIN}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "count me once" }],
    }),
  });
}

async function send(testEnv: Env, key: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(chat(key), testEnv, ctx);
  await res.text();
  await waitOnExecutionContext(ctx);
  return res.status;
}

const usageDebits = async (accountId: string) =>
  (await ledgerOf(accountId)).filter((e) => e.kind === "usage");

describe("the account object fails between reservation and settlement", () => {
  it("restarts after the reservation: the settlement charges once, and no hold is left", async () => {
    const user = await newKeyUser();
    await setBalance(user.id, BALANCE);
    const hold = await reserveCredit(env, user.id, 600_000);
    await restart(user.id);
    const usageId = crypto.randomUUID();
    await meter(hold, 250_000, usageId);
    // The request's own retry of the settlement (same usage id) charges nothing more.
    await meter(hold, 250_000, usageId);
    expect(await balanceOf(user.id)).toBe(BALANCE - 250_000);
    expect(await usageDebits(user.id)).toHaveLength(1);
    expect(await nothingHeld(user.id, BALANCE - 250_000)).toBe(true);
  });

  it("its settlement call throws before doing anything: the retry charges once", async () => {
    const user = await newKeyUser();
    await setBalance(user.id, BALANCE);
    const down = fault(/./);
    const status = await send(
      envWith({ ACCOUNT: namespaceFailing(env.ACCOUNT, "meterBatch", down) }),
      user.key,
    );
    expect(status).toBe(200);
    expect(down.hits).toBe(1);
    const [row] = await usageRows(user.id, 1);
    expect(await balanceOf(user.id)).toBe(BALANCE - row!.cost_micros);
    expect(await usageDebits(user.id)).toHaveLength(1);
    expect(await nothingHeld(user.id, BALANCE - row!.cost_micros)).toBe(true);
  });

  it("its settlement call does the work, then the answer is lost: the retry charges nothing more", async () => {
    const user = await newKeyUser();
    await setBalance(user.id, BALANCE);
    let lost = 0;
    // The call reaches the object and completes there, but the caller sees an error (a reset connection).
    const flaky = new Proxy(env.ACCOUNT, {
      get(target, prop) {
        if (prop !== "getByName") return Reflect.get(target, prop, target);
        return (name: string) => {
          const stub = target.getByName(name);
          return new Proxy(stub, {
            get(s, p) {
              if (p !== "meterBatch" || lost > 0) return Reflect.get(s, p);
              return async (...args: Parameters<typeof stub.meterBatch>) => {
                await s.meterBatch(...args);
                lost += 1;
                throw new Error("connection reset (injected)");
              };
            },
          });
        };
      },
    });
    expect(await send(envWith({ ACCOUNT: flaky }), user.key)).toBe(200);
    expect(lost).toBe(1);
    const rows = await usageRows(user.id, 1);
    expect(rows).toHaveLength(1);
    expect(await balanceOf(user.id)).toBe(BALANCE - rows[0]!.cost_micros);
    expect(await usageDebits(user.id)).toHaveLength(1);
    // The lost answer also carried the lease renewal it granted: that slice stays lent under this isolate's
    // lease id only until the lease expires (ADR 026), then the object takes it back. No hold is left.
    const lent = (await runInDurableObject(accountObject(env, user.id), (_o, state) =>
      state.storage.sql.exec("SELECT outstanding, expires_at FROM credit_leases").toArray(),
    )) as { outstanding: number; expires_at: number }[];
    for (const lease of lent) expect(lease.expires_at).toBeLessThanOrEqual(Date.now() + LEASE_TTL_MS);
    const stillLent = lent.reduce((sum, l) => sum + l.outstanding, 0);
    expect(await nothingHeld(user.id, BALANCE - rows[0]!.cost_micros - stillLent)).toBe(true);
  });
});
