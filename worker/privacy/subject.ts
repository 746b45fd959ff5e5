// The account's pseudonym in privacy records: stable, but not the account id and not reversible (an HMAC
// under a key derived from MASTER_KEY). During a rotation a lookup must try the pseudonym under each key.
import { hmacHex } from "../crypto/encoding";
import { derive } from "../crypto/master-key";

/** Every pseudonym the account may be recorded under: the current one first, then MASTER_KEY_PREVIOUS's. */
export async function subjectsOf(env: Env, accountId: string): Promise<string[]> {
  const keys = await derive(env, "subject");
  return Promise.all(keys.map(async (key) => (await hmacHex(key, accountId)).slice(0, 32)));
}

/** The pseudonym new records carry. */
export async function subjectOf(env: Env, accountId: string): Promise<string> {
  return (await subjectsOf(env, accountId))[0]!;
}
