// The account Durable Object's side of content encryption: it alone holds the account's wrapped data
// key, creates it once, re-wraps it after a MASTER_KEY rotation, and destroys it (crypto-shredding).
import type { Hosted } from "../account-object/hosted";
import { newWrappedDataKey, rewrapDataKey, unwrapDataKey, type WrappedDataKey } from "../crypto/data-key";
import { masterKeys } from "../crypto/master-key";
import { log } from "../observability/log";
import type { DataKey } from "./data-keys";

const DATA_KEY = "content:dataKey";
const DESTROYED_AT = "content:dataKeyDestroyedAt";

/**
 * Records which KEK wraps the key, so the rotation sweep finds keys still under an old one. Best effort:
 * the key itself lives here, and a key missed by the sweep is still re-wrapped the next time it is used.
 */
async function noteKek(env: Env, accountId: string, kek: string | null): Promise<void> {
  try {
    await env.DB.prepare("UPDATE privacy_settings SET data_key_kek = ? WHERE account_id = ?")
      .bind(kek, accountId)
      .run();
  } catch (error) {
    log.error("data key: recording its master key failed", { error });
  }
}

/**
 * The wrapped data key, created on first use when `create` is set, and re-wrapped under the current
 * MASTER_KEY if an older one wraps it. Null once destroyed: a shredded account never gets a new key,
 * so nothing written after deletion began is readable either.
 */
async function loadDataKey(
  ctx: DurableObjectState,
  env: Env,
  accountId: string,
  create: boolean,
): Promise<WrappedDataKey | null> {
  const keys = await masterKeys(env);
  if (!keys) throw new Error("MASTER_KEY is not configured");
  // Creation and re-wrapping await WebCrypto, which would let a second call interleave and write a
  // different key; blocking makes "read, maybe create, write" one step.
  const { record, changed } = await ctx.blockConcurrencyWhile(async () => {
    if (await ctx.storage.get(DESTROYED_AT)) return { record: null, changed: false };
    const stored = await ctx.storage.get<WrappedDataKey>(DATA_KEY);
    if (!stored && !create) return { record: null, changed: false };
    const next = stored
      ? await rewrapDataKey(stored, keys, accountId)
      : await newWrappedDataKey(keys, accountId, 1);
    if (next !== stored) await ctx.storage.put(DATA_KEY, next);
    return { record: next, changed: next !== stored };
  });
  if (record && changed) await noteKek(env, accountId, record.kek);
  return record;
}

/** Whether a wrapped data key is stored (the promise report checks none is left after erasure). */
export async function holdsDataKey(storage: DurableObjectStorage): Promise<boolean> {
  return (await storage.get(DATA_KEY)) !== undefined;
}

/** Crypto-shredding: without this key every object of the account, wherever a copy survives, is noise. */
async function destroyDataKey(ctx: DurableObjectState, env: Env, accountId: string): Promise<void> {
  await ctx.blockConcurrencyWhile(async () => {
    await ctx.storage.put(DESTROYED_AT, Date.now());
    await ctx.storage.delete(DATA_KEY);
  });
  await noteKek(env, accountId, null);
}

/** The data key as a capability of the account's object: it needs no alarm, and erasing it is the shredding. */
export class DataKeyStore implements Hosted {
  readonly name = "data_key";
  readonly location = "the account's data key in its Durable Object (crypto-shredding)";

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {}

  /** The wrapped key, for the Worker (which unwraps and caches it). */
  wrapped(accountId: string, create: boolean): Promise<WrappedDataKey | null> {
    return loadDataKey(this.ctx, this.env, accountId, create);
  }

  /** The usable key, for code running inside the object (an export): read here, not through an RPC to itself. */
  async usable(accountId: string): Promise<DataKey | null> {
    const keys = await masterKeys(this.env);
    if (!keys) return null;
    const record = await loadDataKey(this.ctx, this.env, accountId, false);
    if (!record) return null;
    return { key: await unwrapDataKey(record, keys, accountId), keyVer: record.keyVer };
  }

  async nextWake(): Promise<number | null> {
    return null;
  }

  async onAlarm(): Promise<void> {}

  async erase(accountId: string): Promise<number> {
    await destroyDataKey(this.ctx, this.env, accountId);
    return 1;
  }
}
