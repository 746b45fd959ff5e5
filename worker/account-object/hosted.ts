// The contract between the account's Durable Object and each capability it hosts: the object alone
// owns the one alarm (set to the earliest wake any capability asks for) and runs erasure through each.

export interface Hosted {
  /** The capability's key in the deletion receipt. */
  readonly name: string;
  /** Where its state lives, for the deletion receipt. */
  readonly location: string;
  /** When the capability next needs the alarm (epoch ms; at or before now: as soon as possible), or null. */
  nextWake(): Promise<number | null>;
  /** The alarm fired at `now`: do whatever is due. A capability that still has work asks again via nextWake(). */
  onAlarm(now: number): Promise<void>;
  /** Erases everything the capability holds for the account in the object; returns how many records went. */
  erase(accountId: string): Promise<number>;
}
