// Privacy settings in D1: reading them (with the policy's defaults when never set) and changing them
// together with the consent history, in one transaction so the recorded "old" value is exact.
import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import { type consentChannels, consentEvents, consentSettings, privacySettings } from "../../db/schema";
import { policy } from "../config";
import type { RetentionDays } from "../content/layout";
import type { Db } from "../env";
import { CONSENT_WORDING, wordingFor, wordingHash } from "./consent-wording";
import type { PrivacySettings, PrivacySettingsPatch } from "./views";

export type ConsentChannel = (typeof consentChannels)[number];
type RecordedSwitch = (typeof consentSettings)[number];

const defaultSettings: PrivacySettings = {
  contentLogging: policy.contentLoggingDefault,
  retentionDays: 30,
  trainingConsent: policy.trainingConsentDefault,
  notices: true,
  dataPolicy: "any",
  updatedAt: null,
};

function fromRow(row: typeof privacySettings.$inferSelect | undefined): PrivacySettings {
  if (!row) return { ...defaultSettings };
  return {
    contentLogging: row.contentLogging,
    retentionDays: row.retentionDays as RetentionDays,
    trainingConsent: row.trainingConsent,
    notices: row.notices,
    dataPolicy: row.dataPolicy,
    updatedAt: row.updatedAt,
  };
}

export async function readPrivacySettings(db: Db, accountId: string): Promise<PrivacySettings> {
  const row = await db.select().from(privacySettings).where(eq(privacySettings.accountId, accountId)).get();
  return fromRow(row);
}

/** Whether the account wants technical notices (the notices capability asks before sending optional ones). */
export async function noticesEnabled(db: Db, accountId: string): Promise<boolean> {
  return (await readPrivacySettings(db, accountId)).notices;
}

/** Records a change of one switch, reading its old value inside the same transaction; no row if unchanged. */
function recordChange(
  db: Db,
  accountId: string,
  setting: RecordedSwitch,
  value: boolean,
  channel: ConsentChannel,
  now: Date,
  hash: string,
) {
  const column = privacySettings[setting];
  return db.insert(consentEvents).select(
    db
      .select({
        id: sql<string>`${crypto.randomUUID()}`.as("id"),
        accountId: privacySettings.accountId,
        setting: sql<RecordedSwitch>`${setting}`.as("setting"),
        oldValue: column,
        newValue: sql<boolean>`${value ? 1 : 0}`.as("new_value"),
        policyVersion: sql<string>`${policy.version}`.as("policy_version"),
        wordingHash: sql<string>`${hash}`.as("wording_hash"),
        channel: sql<ConsentChannel>`${channel}`.as("channel"),
        at: sql<Date>`${now.getTime()}`.as("at"),
        seq: sql<number>`(SELECT COUNT(*) + 1 FROM consent_events WHERE account_id = ${accountId})`.as("seq"),
      })
      .from(privacySettings)
      .where(and(eq(privacySettings.accountId, accountId), ne(column, value))),
  );
}

/** Applies any subset of the settings; every changed switch lands in the history in the same batch. */
export async function updatePrivacySettings(
  db: Db,
  accountId: string,
  patch: PrivacySettingsPatch,
  channel: ConsentChannel,
  now = new Date(),
): Promise<PrivacySettings> {
  const { updatedAt: _, ...defaults } = defaultSettings;
  const hashes = Object.fromEntries(
    await Promise.all(consentSettings.map(async (s) => [s, await wordingHash(CONSENT_WORDING[s])] as const)),
  ) as Record<RecordedSwitch, string>;
  const changes = consentSettings.flatMap((s) => {
    const value = patch[s];
    return value === undefined ? [] : [recordChange(db, accountId, s, value, channel, now, hashes[s])];
  });
  const results = await db.batch([
    db
      .insert(privacySettings)
      .values({ accountId, ...defaults, updatedAt: now })
      .onConflictDoNothing(),
    ...changes,
    db
      .update(privacySettings)
      .set({ ...patch, updatedAt: now })
      .where(eq(privacySettings.accountId, accountId))
      .returning(),
  ]);
  const updated = results.at(-1) as (typeof privacySettings.$inferSelect)[];
  return fromRow(updated[0]);
}

/** Every setting back to the policy's defaults; each switch that changes is recorded with the channel "reset". */
export function resetPrivacySettings(db: Db, accountId: string, now = new Date()): Promise<PrivacySettings> {
  const { updatedAt: _, ...defaults } = defaultSettings;
  return updatePrivacySettings(db, accountId, defaults, "reset", now);
}

type ConsentEvent = Omit<typeof consentEvents.$inferSelect, "id" | "accountId" | "seq"> & {
  /** The wording the hash names (null for events recorded before wordings were kept). */
  wording: string | null;
};

/** The account's history of consent changes, newest first, each with the wording that was agreed to. */
export async function consentHistory(db: Db, accountId: string, limit = 100): Promise<ConsentEvent[]> {
  const rows = await db
    .select({
      setting: consentEvents.setting,
      oldValue: consentEvents.oldValue,
      newValue: consentEvents.newValue,
      policyVersion: consentEvents.policyVersion,
      wordingHash: consentEvents.wordingHash,
      channel: consentEvents.channel,
      at: consentEvents.at,
    })
    .from(consentEvents)
    .where(eq(consentEvents.accountId, accountId))
    .orderBy(desc(consentEvents.seq))
    .limit(limit);
  return Promise.all(rows.map(async (r) => ({ ...r, wording: await wordingFor(r.wordingHash) })));
}

/**
 * Whether the account consented to training at a given moment, from the history alone: the last
 * recorded change at or before that moment decides; before any change, the policy's default does.
 */
export async function trainingConsentTimeline(db: Db, accountId: string): Promise<(at: Date) => boolean> {
  const events = await db
    .select({ at: consentEvents.at, newValue: consentEvents.newValue })
    .from(consentEvents)
    .where(and(eq(consentEvents.accountId, accountId), eq(consentEvents.setting, "trainingConsent")))
    .orderBy(asc(consentEvents.seq));
  return (at) => {
    let consented = policy.trainingConsentDefault;
    for (const e of events) {
      if (e.at.getTime() > at.getTime()) break;
      consented = e.newValue;
    }
    return consented;
  };
}
