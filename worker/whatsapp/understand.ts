// What an inbound message says, whatever its type: the words for the prompt (a text's body, a caption, the
// title and payload of a tapped button, a shared location or contact), the media to fetch from Graph (images,
// documents, voice notes), and the message it quotes. Pure: the webhook seals the result, answering reads it.
import type { InboundMessage } from "./payload";

export type MediaKind = "image" | "document" | "audio";

/** What answering needs from a message beyond its words. */
export type Understood = {
  text: string | null;
  media: { kind: MediaKind; id: string; mimeType: string | null; filename: string | null } | null;
  /** The wamid this message quotes (`context.id`), if any. */
  quotedId: string | null;
};

const lines = (...parts: (string | null | undefined)[]) => {
  const kept = parts.filter((p): p is string => Boolean(p?.trim()));
  return kept.length > 0 ? kept.join("\n") : null;
};

function location(m: NonNullable<InboundMessage["location"]>): string {
  const place = [m.name, m.address].filter(Boolean).join(", ");
  return `Shared location: ${place ? `${place} ` : ""}(latitude ${m.latitude}, longitude ${m.longitude})`;
}

function contacts(list: NonNullable<InboundMessage["contacts"]>): string {
  return list
    .map((c) => {
      const phones = (c.phones ?? []).map((p) => p.phone ?? p.wa_id).filter(Boolean);
      const emails = (c.emails ?? []).map((e) => e.email).filter(Boolean);
      return `Shared contact: ${[c.name?.formatted_name, ...phones, ...emails].filter(Boolean).join(", ")}`;
    })
    .join("\n");
}

/** The message as words and media; `text` is null when there is nothing to read or look at. */
export function understand(message: InboundMessage): Understood {
  const quotedId = message.context?.id ?? null;
  const media = (kind: MediaKind, m: NonNullable<InboundMessage["image"]>) => ({
    kind,
    id: m.id,
    mimeType: m.mime_type ?? null,
    filename: m.filename ?? null,
  });
  switch (message.type) {
    case "text":
      return { text: message.text?.body ?? null, media: null, quotedId };
    case "image":
      return message.image
        ? { text: lines(message.image.caption), media: media("image", message.image), quotedId }
        : { text: null, media: null, quotedId };
    case "document":
      return message.document
        ? {
            text: lines(message.document.caption),
            media: media("document", message.document),
            quotedId,
          }
        : { text: null, media: null, quotedId };
    case "audio":
      return message.audio
        ? { text: null, media: media("audio", message.audio), quotedId }
        : { text: null, media: null, quotedId };
    case "video":
    case "sticker": {
      const caption = message.video?.caption;
      return { text: caption ? lines(`(The customer sent a video.)`, caption) : null, media: null, quotedId };
    }
    case "interactive": {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      if (!reply) return { text: null, media: null, quotedId };
      return {
        text: lines(reply.title, reply.description, `(chosen option: ${reply.id})`),
        media: null,
        quotedId,
      };
    }
    case "button":
      return {
        text: lines(
          message.button?.text,
          message.button?.payload ? `(button payload: ${message.button.payload})` : null,
        ),
        media: null,
        quotedId,
      };
    case "location":
      return { text: message.location ? location(message.location) : null, media: null, quotedId };
    case "contacts":
      return { text: message.contacts?.length ? contacts(message.contacts) : null, media: null, quotedId };
    default:
      return { text: null, media: null, quotedId };
  }
}

/** True when there is something to answer from (words, or media to look at or listen to). */
export const readable = (u: Understood) => u.text !== null || u.media !== null;
