// One Durable Object per account: the place where work that must not race for one account is serialised
// (deletion, credit reservations, per-key rate limits). Capabilities add their state in its SQLite storage.
import { DurableObject } from "cloudflare:workers";

export class AccountDO extends DurableObject<Env> {
  /** A cheap liveness call; also proves the binding and migration are wired. */
  async ping(): Promise<string> {
    return "pong";
  }
}

/** The Durable Object of one account. */
export function accountObject(env: Env, accountId: string): DurableObjectStub<AccountDO> {
  return env.ACCOUNT.getByName(accountId);
}
