// The Cloud API webhook notification, parsed with zod: only the parts we act on; Meta's extra fields pass.
import { z } from "zod";

const Id = z.string().min(1).max(256);
const Timestamp = z.string().regex(/^\d{1,12}$/);

const Short = z.string().max(1024);
/** Meta's media object: image, video, audio (voice notes: `voice: true`), document, sticker. */
const Media = z.looseObject({
  id: Id,
  mime_type: z.string().max(200).optional(),
  caption: z.string().max(4096).optional(),
  filename: z.string().max(1024).optional(),
  voice: z.boolean().optional(),
});
const Reply = z.looseObject({ id: Short, title: Short, description: Short.optional() });

const InboundMessage = z.looseObject({
  from: z.string().regex(/^\d{5,20}$/),
  id: Id,
  timestamp: Timestamp,
  type: z.string().min(1).max(40),
  text: z.looseObject({ body: z.string().max(65_536) }).optional(),
  image: Media.optional(),
  video: Media.optional(),
  audio: Media.optional(),
  document: Media.optional(),
  sticker: Media.optional(),
  /** A tap on an interactive message's reply button or list row. */
  interactive: z
    .looseObject({
      type: z.string().max(40),
      button_reply: Reply.optional(),
      list_reply: Reply.optional(),
    })
    .optional(),
  /** A tap on a template's quick-reply button. */
  button: z.looseObject({ text: Short.optional(), payload: Short.optional() }).optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: Short.optional(),
      address: Short.optional(),
      url: Short.optional(),
    })
    .optional(),
  contacts: z
    .array(
      z.looseObject({
        name: z.looseObject({ formatted_name: Short.optional() }).optional(),
        phones: z.array(z.looseObject({ phone: Short.optional(), wa_id: Short.optional() })).optional(),
        emails: z.array(z.looseObject({ email: Short.optional() })).optional(),
      }),
    )
    .max(50)
    .optional(),
  /** The message this one quotes (a reply in the chat). */
  context: z.looseObject({ id: Id.optional(), from: Short.optional() }).optional(),
});

const Status = z.looseObject({
  id: Id,
  status: z.string().min(1).max(40),
  timestamp: Timestamp,
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional() })).optional(),
});

const Change = z.looseObject({
  field: z.string(),
  value: z.looseObject({
    metadata: z.looseObject({ phone_number_id: Id }).optional(),
    // Items are checked one by one (below): one odd or new kind of item must not sink the whole notification.
    messages: z.array(z.unknown()).max(1000).optional(),
    statuses: z.array(z.unknown()).max(1000).optional(),
  }),
});

export const Notification = z.looseObject({
  object: z.string(),
  entry: z.array(z.looseObject({ changes: z.array(Change).max(1000) })).max(1000),
});

export type Notification = z.infer<typeof Notification>;
export type InboundMessage = z.infer<typeof InboundMessage>;
export type StatusUpdate = z.infer<typeof Status>;

/** The items that match the schema; the rest (shapes we do not handle) are left alone. */
function valid<T extends z.ZodType>(schema: T, items: unknown[] | undefined): z.infer<T>[] {
  return (items ?? []).flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** What one phone number received in a notification. */
export type NumberUpdates = { phoneNumberId: string; messages: InboundMessage[]; statuses: StatusUpdate[] };

/** Groups the notification's message changes by the phone number they were sent to. */
export function updatesByNumber(notification: Notification): Map<string, NumberUpdates> {
  const byNumber = new Map<string, NumberUpdates>();
  for (const entry of notification.entry) {
    for (const change of entry.changes) {
      const phoneNumberId = change.value.metadata?.phone_number_id;
      if (change.field !== "messages" || !phoneNumberId) continue;
      const updates = byNumber.get(phoneNumberId) ?? { phoneNumberId, messages: [], statuses: [] };
      updates.messages.push(...valid(InboundMessage, change.value.messages));
      updates.statuses.push(...valid(Status, change.value.statuses));
      byNumber.set(phoneNumberId, updates);
    }
  }
  return byNumber;
}

/** Meta's seconds-since-epoch text as a Date, never later than `now` (a clock ahead must not widen the window). */
export function messageTime(timestamp: string, now: number): Date {
  return new Date(Math.min(Number(timestamp) * 1000, now));
}
