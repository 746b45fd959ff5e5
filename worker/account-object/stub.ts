// How the Worker reaches an account's Durable Object: a typed stub, without importing the class (and
// with it every capability the object hosts) into the caller's module graph.
import type { AccountDO } from "./AccountDO";

/** The Durable Object of one account. */
export function accountObject(env: Env, accountId: string): DurableObjectStub<AccountDO> {
  return env.ACCOUNT.getByName(accountId);
}
