// Handing recorded messages to their business number's Durable Object, which answers them on its own schedule
// (quiet period, order per contact, Meta's limits). The webhook hands in what it just recorded; the cron hands
// in whatever D1 says is due — the object ignores what it already holds — and asks each object to run.
import type { Queued } from "./schedule";
import { numberObject } from "./stub";

function byNumber(items: Queued[]): Map<string, Queued[]> {
  const grouped = new Map<string, Queued[]>();
  for (const item of items) {
    const list = grouped.get(item.phoneNumberId) ?? [];
    list.push(item);
    grouped.set(item.phoneNumberId, list);
  }
  return grouped;
}

/** Queues the messages in their numbers' objects at `now`; with `runAt`, each then answers what is due then. */
export async function handIn(env: Env, items: Queued[], now: number, runAt?: number): Promise<void> {
  for (const [phoneNumberId, list] of byNumber(items)) {
    const number = numberObject(env, phoneNumberId);
    await number.enqueue(list, now);
    if (runAt !== undefined) await number.run(runAt);
  }
}
