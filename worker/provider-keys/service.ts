// Customers' own provider keys: sealed under the account's data key on the way in, listed by prefix only,
// deleted on request or with the account. Every change drops this isolate's cached copies at once.
import { and, asc, eq } from "drizzle-orm";
import { providerKeys } from "../../db/schema";
import { sealForAccount } from "../content/sealed";
import type { Db } from "../env";
import { notFound } from "../errors";
import { forgetAccountKeys } from "../keys/cache";
import { forgetProviderKeys } from "./cache";
import type { ByokProvider, ProviderKeyView } from "./views";

/** How much of a key is shown: enough to recognise it ("sk-proj-AbC…"), far too little to use it. */
const PREFIX_LENGTH = 10;

const view = (row: typeof providerKeys.$inferSelect): ProviderKeyView => ({
  provider: row.provider as ByokProvider,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  allowPlatformFallback: row.allowPlatformFallback,
});

/** After a change: the key records (which list the account's providers) and the opened keys are re-read. */
function forget(accountId: string) {
  forgetAccountKeys(accountId);
  forgetProviderKeys(accountId);
}

export async function listProviderKeys(db: Db, accountId: string): Promise<ProviderKeyView[]> {
  const rows = await db
    .select()
    .from(providerKeys)
    .where(eq(providerKeys.accountId, accountId))
    .orderBy(asc(providerKeys.provider));
  return rows.map(view);
}

/** Stores (or replaces) the account's key for a provider, sealed; the answer shows its prefix only. */
export async function putProviderKey(
  env: Env,
  db: Db,
  accountId: string,
  provider: ByokProvider,
  input: { key: string; allowPlatformFallback?: boolean },
): Promise<ProviderKeyView> {
  const sealedKey = await sealForAccount(env, accountId, `provider-key:${provider}`, input.key);
  const row = {
    accountId,
    provider,
    sealedKey,
    prefix: `${input.key.slice(0, PREFIX_LENGTH)}…`,
    allowPlatformFallback: input.allowPlatformFallback ?? false,
    createdAt: new Date(),
  };
  await db
    .insert(providerKeys)
    .values(row)
    .onConflictDoUpdate({
      target: [providerKeys.accountId, providerKeys.provider],
      set: {
        sealedKey,
        prefix: row.prefix,
        allowPlatformFallback: row.allowPlatformFallback,
        createdAt: row.createdAt,
      },
    });
  forget(accountId);
  return view(row);
}

/** Turns the platform-key fallback on or off for the account's stored key (the key itself is untouched). */
export async function setPlatformFallback(
  db: Db,
  accountId: string,
  provider: ByokProvider,
  allowPlatformFallback: boolean,
): Promise<ProviderKeyView> {
  const [row] = await db
    .update(providerKeys)
    .set({ allowPlatformFallback })
    .where(and(eq(providerKeys.accountId, accountId), eq(providerKeys.provider, provider)))
    .returning();
  forget(accountId);
  if (!row) throw notFound("Provider key");
  return view(row);
}

export async function deleteProviderKey(db: Db, accountId: string, provider: ByokProvider): Promise<void> {
  const deleted = await db
    .delete(providerKeys)
    .where(and(eq(providerKeys.accountId, accountId), eq(providerKeys.provider, provider)))
    .returning({ provider: providerKeys.provider });
  forget(accountId);
  if (!deleted.length) throw notFound("Provider key");
}
