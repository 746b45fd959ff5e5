// The account's pseudonymous reference in log lines and metrics: 16 hex characters of an HMAC of the account
// id under a key derived from MASTER_KEY. It links an account's lines and data points together, and an
// operator who knows the account (by email or id, on /admin) can compute it; the lines alone name no one.

import { hmacHex, sha256Hex } from "../crypto/encoding";
import { derive, masterKeyConfigured } from "../crypto/master-key";

const MAX_ENTRIES = 10_000;
const cache = new Map<string, string>();

export async function accountRef(env: Env, accountId: string): Promise<string> {
  const hit = cache.get(accountId);
  if (hit) return hit;
  // Without MASTER_KEY (a bare local run) a plain hash still keeps the id itself out of the lines.
  const ref = (
    masterKeyConfigured(env)
      ? await hmacHex((await derive(env, "ops-ref"))[0]!, accountId)
      : await sha256Hex(`ops-ref|${accountId}`)
  ).slice(0, 16);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(accountId, ref);
  return ref;
}
