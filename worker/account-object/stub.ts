// How the Worker reaches an account's Durable Object: a typed stub, without importing the class (and
// with it every capability the object hosts) into the caller's module graph. With DATA_RESIDENCY "eu" every
// id is made in the `eu` jurisdiction, so the objects (and their storage) live in the EU.
import { getConfig } from "../config";
import type { AccountDO } from "./AccountDO";

/** The namespace account objects are named in: restricted to the EU jurisdiction when configured so. */
export function accountNamespace(env: Env): DurableObjectNamespace<AccountDO> {
  return getConfig(env).dataResidency === "eu" ? env.ACCOUNT.jurisdiction("eu") : env.ACCOUNT;
}

/** The Durable Object of one account. */
export function accountObject(env: Env, accountId: string): DurableObjectStub<AccountDO> {
  return accountNamespace(env).getByName(accountId);
}
