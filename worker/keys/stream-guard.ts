// Open streams end when their key stops being valid: revoked (here or on any other isolate), expired, or its
// account tombstoned. Nothing is awaited per chunk: each open stream has a timer that, every CHECK_MS, checks
// the key's expiry in memory and its row in D1 — one query per key per isolate per CHECK_MS however many of its
// streams are open, read from a shared cache of plain results. A revocation on this isolate marks that cache, so
// its streams here end on their next tick without asking D1. The relay turns the stop into the dialect's error
// event and meters what was delivered (ADR 023).
import { sql } from "drizzle-orm";
import { accounts, apiKeys } from "../../db/schema";
import type { ApiKeyPrincipal, Db } from "../env";

/** How often an open stream's key is re-checked: a revocation anywhere ends the stream within about this long. */
const CHECK_MS = 500;

/** Why a stream was stopped: the message its error event carries. */
class KeyStopped extends Error {
  override name = "KeyStopped";
  constructor(readonly code: "revoked_api_key" | "expired_api_key") {
    super(
      code === "expired_api_key"
        ? "This API key expired during the stream; the response is incomplete."
        : "This API key was revoked during the stream; the response is incomplete.",
    );
  }
}

type KeyState = { revoked: boolean; expiresAt: number | null; checkedAt: number };
type Open = { keyId: string; accountId: string; controller: AbortController };

/** The last D1 answer per key, shared by this isolate's streams of that key (plain values, no promises). */
const states = new Map<string, KeyState>();
const open = new Set<Open>();

function stop(stream: Open, code: KeyStopped["code"]): void {
  if (!stream.controller.signal.aborted) stream.controller.abort(new KeyStopped(code));
}

async function readState(db: Db, keyId: string): Promise<KeyState> {
  const [row] = await db
    .select({
      revokedAt: apiKeys.revokedAt,
      expiresAt: apiKeys.expiresAt,
      status: accounts.status,
    })
    .from(apiKeys)
    .innerJoin(accounts, sql`${accounts.id} = ${apiKeys.accountId}`)
    .where(sql`${apiKeys.id} = ${keyId}`)
    .limit(1);
  return {
    revoked: !row || row.revokedAt !== null || row.status !== "active",
    expiresAt: row?.expiresAt?.getTime() ?? null,
    checkedAt: Date.now(),
  };
}

/**
 * Watches one stream's key until `release()`: the signal aborts (reason: a KeyStopped) when the key is revoked,
 * expires or its account is tombstoned. The relay listens to it; the stream's end releases it.
 */
export function guardStream(db: Db, key: ApiKeyPrincipal): { signal: AbortSignal; release: () => void } {
  const stream: Open = { keyId: key.keyId, accountId: key.accountId, controller: new AbortController() };
  open.add(stream);
  let expiresAt = key.expiresAt;
  let checking = false;
  const check = async () => {
    const now = Date.now();
    if (expiresAt !== null && now >= expiresAt) return stop(stream, "expired_api_key");
    let state = states.get(key.keyId);
    if (!state || now - state.checkedAt >= CHECK_MS) {
      if (checking) return;
      checking = true;
      try {
        state = await readState(db, key.keyId);
        states.set(key.keyId, state);
      } catch {
        return; // D1 unreachable for a moment: the next tick asks again; the stream goes on meanwhile.
      } finally {
        checking = false;
      }
    }
    expiresAt = state.expiresAt;
    if (state.revoked) stop(stream, "revoked_api_key");
    else if (expiresAt !== null && Date.now() >= expiresAt) stop(stream, "expired_api_key");
  };
  const timer = setInterval(() => void check(), CHECK_MS);
  const release = () => {
    clearInterval(timer);
    open.delete(stream);
    if (![...open].some((s) => s.keyId === key.keyId)) states.delete(key.keyId);
  };
  stream.controller.signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  return { signal: stream.controller.signal, release };
}

/**
 * A key revoked on this isolate: its open streams here end on their next tick. (Each stream is stopped from its
 * own timer, in its own request: a request may not write to another request's stream.)
 */
export function stopKeyStreams(keyId: string): void {
  if ([...open].some((s) => s.keyId === keyId))
    states.set(keyId, { revoked: true, expiresAt: null, checkedAt: Date.now() });
}

/** An account tombstoned (deletion): every open stream of its keys here ends on its next tick. */
export function stopAccountStreams(accountId: string): void {
  for (const stream of open) if (stream.accountId === accountId) stopKeyStreams(stream.keyId);
}
