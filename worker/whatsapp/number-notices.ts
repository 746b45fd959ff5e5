// What Meta tells about a business account and its numbers besides messages (ADR 065): template status changes
// (`message_template_status_update`), quality and limit updates (`phone_number_quality_update`) and account
// alerts (`account_alerts`). They name the business account (entry.id), not a number, so each applies to every
// connected number of that account whose app secret signed the notification. Recorded once (by a hash of the
// change), shown on the number's dashboard section; a template's new status is applied to the stored list.

import { desc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import { whatsappNumberEvents } from "../../db/schema";
import { sha256Hex } from "../crypto/encoding";
import type { Db } from "../env";
import type { Notification } from "./payload";
import type { NumberEventView } from "./template-views";

/** The fields recorded here, as the table names them. */
type NoticeField = (typeof whatsappNumberEvents.$inferSelect)["field"];

const Word = z.string().max(100);
const TemplateStatus = z.looseObject({
  event: Word,
  message_template_id: z.union([z.string().max(64), z.number()]).optional(),
  message_template_name: z.string().min(1).max(512),
  message_template_language: z.string().min(1).max(20),
  reason: z.string().max(200).nullable().optional(),
});
const Quality = z.looseObject({
  display_phone_number: z.string().max(40).optional(),
  event: Word,
  current_limit: Word.optional(),
  old_limit: Word.optional(),
  max_daily_conversations_per_business: z.union([Word, z.number()]).optional(),
});
const AlertInfo = z.looseObject({
  alert_severity: Word.optional(),
  alert_status: Word.optional(),
  alert_type: Word.optional(),
  alert_description: z.string().max(2000).optional(),
});
const Alert = z.looseObject({
  entity_type: Word.optional(),
  entity_id: z.string().max(64).optional(),
  alert_info: AlertInfo.optional(),
  ...AlertInfo.shape,
});

/** One change we record, with the business account it names. */
export type Notice = {
  wabaId: string;
  field: NoticeField;
  event: string;
  summary: string;
  /** The phone number id an account alert names (entity_type PHONE_NUMBER): only that number gets it. */
  onlyNumber: string | null;
  template: { name: string; language: string; event: string; reason: string | null } | null;
  /** The change as sent, for the dedupe hash. */
  raw: string;
};

/** Meta's events for a template coming back: its status is APPROVED again. */
const STATUS_OF_EVENT: Record<string, string> = { REINSTATED: "APPROVED", UNARCHIVED: "APPROVED" };
const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function noticeOf(wabaId: string, field: string, value: unknown): Notice | null {
  const raw = JSON.stringify(value);
  if (field === "message_template_status_update") {
    const v = TemplateStatus.safeParse(value);
    if (!v.success) return null;
    const event = v.data.event.toUpperCase();
    const reason = v.data.reason && v.data.reason !== "NONE" ? v.data.reason : null;
    const name = v.data.message_template_name;
    const language = v.data.message_template_language;
    return {
      wabaId,
      field,
      event,
      summary: clip(`Template ${name} (${language}): ${event}${reason ? ` — ${reason}` : ""}`),
      onlyNumber: null,
      template: { name, language, event: STATUS_OF_EVENT[event] ?? event, reason },
      raw,
    };
  }
  if (field === "phone_number_quality_update") {
    const v = Quality.safeParse(value);
    if (!v.success) return null;
    const d = v.data;
    const limit = d.current_limit ?? d.max_daily_conversations_per_business;
    const parts = [
      d.display_phone_number ? `Number ${d.display_phone_number}` : "Number",
      `: ${d.event}`,
      limit !== undefined ? `, limit ${limit}` : "",
      d.old_limit ? ` (was ${d.old_limit})` : "",
    ];
    return {
      wabaId,
      field,
      event: d.event,
      summary: clip(parts.join("")),
      onlyNumber: null,
      template: null,
      raw,
    };
  }
  if (field === "account_alerts") {
    const v = Alert.safeParse(value);
    if (!v.success) return null;
    const info = { ...v.data, ...(v.data.alert_info ?? {}) };
    const type = info.alert_type ?? "ALERT";
    const summary = [
      `${info.alert_severity ?? "INFO"} ${type}`,
      info.alert_status ? ` (${info.alert_status})` : "",
      info.alert_description ? `: ${info.alert_description}` : "",
    ].join("");
    const onlyNumber = v.data.entity_type === "PHONE_NUMBER" && v.data.entity_id ? v.data.entity_id : null;
    return { wabaId, field, event: type, summary: clip(summary), onlyNumber, template: null, raw };
  }
  return null;
}

/** The notification's non-message changes we record, in order. */
export function noticesOf(notification: Notification): Notice[] {
  const notices: Notice[] = [];
  for (const entry of notification.entry) {
    const wabaId = (entry as { id?: unknown }).id;
    if (typeof wabaId !== "string" || !/^\d{1,30}$/.test(wabaId)) continue;
    for (const change of entry.changes) {
      const notice = noticeOf(wabaId, change.field, change.value);
      if (notice) notices.push(notice);
    }
  }
  return notices;
}

/** A notice's id for one number: a hash of the change, so a redelivery is recorded once. */
export async function noticeId(notice: Notice, phoneNumberId: string): Promise<string> {
  return (await sha256Hex(`${phoneNumberId}|${notice.field}|${notice.raw}`)).slice(0, 32);
}

/** The row recording one notice for one number (ignored when a redelivery already recorded it). */
export function noticeRow(
  db: Db,
  notice: Notice,
  number: { accountId: string; phoneNumberId: string },
  id: string,
  now: number,
) {
  return db
    .insert(whatsappNumberEvents)
    .values({
      accountId: number.accountId,
      phoneNumberId: number.phoneNumberId,
      id,
      field: notice.field,
      event: notice.event,
      summary: notice.summary,
      at: new Date(now),
    })
    .onConflictDoNothing();
}

/** The number's latest notices, newest first. */
export async function numberEvents(db: Db, phoneNumberId: string, limit = 20): Promise<NumberEventView[]> {
  const rows = await db
    .select()
    .from(whatsappNumberEvents)
    .where(eq(whatsappNumberEvents.phoneNumberId, phoneNumberId))
    .orderBy(desc(whatsappNumberEvents.at))
    .limit(limit);
  return rows.map((r) => ({ field: r.field, event: r.event, summary: r.summary, at: r.at.toISOString() }));
}

/** Notices older than the metadata period go (the cron). */
export function purgeOldNotices(db: Db, cutoff: number) {
  return db.delete(whatsappNumberEvents).where(lt(whatsappNumberEvents.at, new Date(cutoff)));
}
