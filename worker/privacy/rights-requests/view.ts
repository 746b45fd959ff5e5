// How a privacy request looks to its owner and to operators (API and dashboard alike): the zod schemas
// validate and document the routes, and the types the services return are derived from them.
import { z } from "@hono/zod-openapi";
import {
  privacyRequestChannels,
  privacyRequestStatuses,
  type privacyRequests,
  privacyRequestTypes,
} from "../../../db/schema";
import { IsoDate } from "../../openapi";

type Row = typeof privacyRequests.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const PrivacyRequest = z
  .object({
    id: z.string(),
    type: z.enum(privacyRequestTypes),
    channel: z.enum(privacyRequestChannels),
    status: z.enum(privacyRequestStatuses),
    createdAt: IsoDate,
    dueAt: IsoDate,
    verifiedAt: IsoDate.nullable(),
    startedAt: IsoDate.nullable(),
    completedAt: IsoDate.nullable(),
    deniedAt: IsoDate.nullable(),
    canceledAt: IsoDate.nullable(),
    executeAfter: IsoDate.nullable(),
    progress: z.string().nullable(),
    denialReason: z.string().nullable(),
    answer: z
      .string()
      .nullable()
      .openapi({ description: "Objection: the operator's answer (upheld or not, and why)." }),
    exportReady: z.boolean(),
    exportExpiresAt: IsoDate.nullable(),
    receipt: z.unknown(),
  })
  .openapi("PrivacyRequest");

/** A request in the operators' queue: its view, the operator's note and what is left on its clock. */
export const QueueItem = PrivacyRequest.extend({
  note: z.string().nullable(),
  msLeft: z
    .number()
    .openapi({ description: "Time left on the 30-day clock (negative: overdue); 0 once closed." }),
  overdue: z.boolean(),
}).openapi("PrivacyQueueItem");

const TimelineEntry = z.object({ at: IsoDate, what: z.string() });

/** One request for operators: its view, note, timeline and privacy trail (no email, no content). */
export const RequestDetail = PrivacyRequest.extend({
  note: z.string().nullable(),
  open: z.boolean(),
  exportGone: z.boolean(),
  canResend: z.boolean(),
  canDeny: z.boolean(),
  canAnswer: z.boolean(),
  timeline: z.array(TimelineEntry),
  audit: z.array(
    z.object({
      at: IsoDate,
      actor: z.string(),
      action: z.string(),
      detail: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
}).openapi("PrivacyRequestDetail");

export type RequestView = z.infer<typeof PrivacyRequest>;
export type QueueItemView = z.infer<typeof QueueItem>;
export type TimelineEntryView = z.infer<typeof TimelineEntry>;
export type RequestDetailView = z.infer<typeof RequestDetail>;

export function requestView(row: Row, now = new Date()): RequestView {
  return {
    id: row.id,
    type: row.type,
    channel: row.channel,
    status: row.status,
    createdAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    verifiedAt: iso(row.verifiedAt),
    startedAt: iso(row.startedAt),
    completedAt: iso(row.completedAt),
    deniedAt: iso(row.deniedAt),
    canceledAt: iso(row.canceledAt),
    executeAfter: iso(row.executeAfter),
    progress: row.progress,
    denialReason: row.denialReason,
    answer: row.answer,
    exportReady: Boolean(row.exportManifest && row.exportExpiresAt && row.exportExpiresAt > now),
    exportExpiresAt: iso(row.exportExpiresAt),
    receipt: row.receipt ? JSON.parse(row.receipt) : null,
  };
}

/** What a request of each type asks, as the confirmation mail words it ("… to <what>"). */
export const REQUEST_WHAT: Record<Row["type"], string> = {
  access: "send you a copy of your data",
  deletion: "delete your account and its data",
  restriction: "restrict the processing of your data (it is only stored until you lift it)",
  objection: "record your objection to processing based on our legitimate interests",
};

export const OPEN_STATUSES = ["received", "verifying", "in_progress"] as const;
