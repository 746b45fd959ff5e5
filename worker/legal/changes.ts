// The cron's part of the subprocessor promise: when the configuration produces a list not seen before, it is
// recorded with the date it takes effect (SUBPROCESSOR_NOTICE_DAYS later), and every account that accepted
// the DPA is mailed, once per list, through the outbox. The first list ever recorded is the baseline.
import { desc } from "drizzle-orm";
import { subprocessorLists } from "../../db/schema";
import { getConfig } from "../config";
import { getDb } from "../db";
import { sendNotice } from "../notices/send";
import { DAY_MS } from "../time";
import { SUBPROCESSOR_NOTICE_DAYS } from "./dpa";
import { listVersion, type Subprocessor, subprocessors } from "./subprocessors";

export type PublishedList = { version: string; list: Subprocessor[]; recordedAt: Date; effectiveAt: Date };

/** The newest recorded list, or null before the first cron run. */
export async function latestList(env: Env): Promise<PublishedList | null> {
  const row = await getDb(env.DB)
    .select()
    .from(subprocessorLists)
    .orderBy(desc(subprocessorLists.recordedAt))
    .limit(1)
    .get();
  return row ? { ...row, list: JSON.parse(row.list) as Subprocessor[] } : null;
}

const names = (list: Subprocessor[]) => new Set(list.map((s) => s.name));

function changeText(
  before: Subprocessor[],
  after: Subprocessor[],
  effectiveAt: Date,
  appName: string,
): string {
  const was = names(before);
  const now = names(after);
  const added = after.filter((s) => !was.has(s.name)).map((s) => `+ ${s.name}: ${s.purpose} (${s.location})`);
  const removed = before.filter((s) => !now.has(s.name)).map((s) => `- ${s.name}`);
  const changed = after
    .filter((s) => was.has(s.name))
    .filter((s) => JSON.stringify(s) !== JSON.stringify(before.find((b) => b.name === s.name)))
    .map((s) => `~ ${s.name}: its terms changed`);
  return [
    `Our list of subprocessors changes on ${effectiveAt.toISOString().slice(0, 10)}.`,
    "",
    ...added,
    ...removed,
    ...changed,
    "",
    `The full list is on ${appName}'s Subprocessors page (/subprocessors). Under the DPA you accepted you may object before that date by writing to the privacy contact below.`,
  ].join("\n");
}

/** Records a new list and mails the DPA's acceptors; returns how many were told (0 when nothing changed). */
export async function announceSubprocessorChanges(env: Env, now: Date): Promise<number> {
  const config = getConfig(env);
  const list = subprocessors(config);
  const version = await listVersion(list);
  const previous = await latestList(env);
  if (previous?.version === version) return 0;
  const db = getDb(env.DB);
  const effectiveAt = previous ? new Date(now.getTime() + SUBPROCESSOR_NOTICE_DAYS * DAY_MS) : now;
  const inserted = await db
    .insert(subprocessorLists)
    .values({ version, list: JSON.stringify(list), recordedAt: now, effectiveAt })
    .onConflictDoNothing()
    .returning({ version: subprocessorLists.version });
  if (!previous || inserted.length === 0) return 0;
  const { results } = await env.DB.prepare(
    `SELECT a.id, a.email FROM accounts a WHERE a.status = 'active'
     AND EXISTS (SELECT 1 FROM dpa_acceptances d WHERE d.account_id = a.id)`,
  ).all<{ id: string; email: string }>();
  const text = changeText(previous.list, list, effectiveAt, config.appName);
  for (const account of results) {
    await sendNotice(env, {
      to: account.email,
      kind: "subprocessors_changed",
      subject: `Our subprocessors change on ${effectiveAt.toISOString().slice(0, 10)}`,
      text,
      accountId: account.id,
      key: `subprocessors/${version}/${account.id}`,
    });
  }
  return results.length;
}
