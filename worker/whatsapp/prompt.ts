// The customer's turn as the model sees it: their words (or what a tapped button, a location or a contact
// says), the text they quoted, a voice note's transcript, and an image or document passed in memory to a model
// that can see — or, when it cannot, a plain note saying what was sent, so the answer never pretends.
import type { ChatContent } from "./ask";

export type Attachment =
  | { kind: "image"; bytes: Uint8Array; mimeType: string }
  | { kind: "document"; bytes: Uint8Array; mimeType: string; filename: string | null }
  | { kind: "unreadable"; note: string }
  /** A voice note, as its transcription model heard it (voice.ts). */
  | { kind: "voice"; transcript: string };

/** What precedes a voice note's transcript in the prompt (and in the kept context). */
export const VOICE_NOTE_HEARD = "(The customer sent a voice message; this is what it says:)";

/** Characters of a text document put into the prompt. */
const MAX_DOCUMENT_CHARS = 20_000;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const isImage = (mime: string) => /^image\/(jpeg|png|webp|gif)\b/.test(mime);

/** The user turn: a string, or text and image parts for a model with vision. */
export function customerTurn(input: {
  text: string | null;
  quoted: string | null;
  attachment: Attachment | null;
  vision: boolean;
}): ChatContent {
  const notes: string[] = [];
  if (input.quoted) notes.push(`(Replying to: "${input.quoted}")`);
  const a = input.attachment;
  let image: { url: string } | null = null;
  if (a?.kind === "unreadable") notes.push(a.note);
  if (a?.kind === "voice") notes.push(`${VOICE_NOTE_HEARD}\n${a.transcript}`);
  if (a && a.kind !== "unreadable" && a.kind !== "voice") {
    if (isImage(a.mimeType) && input.vision) {
      image = { url: `data:${a.mimeType.split(";")[0]};base64,${base64(a.bytes)}` };
      notes.push(
        a.kind === "image" ? "(The customer sent this image.)" : "(The customer sent this document.)",
      );
    } else if (a.kind === "document" && /^text\/|^application\/json\b/.test(a.mimeType)) {
      const body = new TextDecoder().decode(a.bytes).slice(0, MAX_DOCUMENT_CHARS);
      notes.push(`(The customer sent the document ${a.filename ?? "without a name"}:)\n${body}`);
    } else {
      const what = a.kind === "image" ? "an image" : `a document (${a.filename ?? a.mimeType})`;
      notes.push(`(The customer sent ${what} that this assistant cannot open.)`);
    }
  }
  const text = [...notes, input.text ?? ""].filter(Boolean).join("\n");
  if (!image) return text;
  return [
    { type: "text", text },
    { type: "image_url", image_url: image },
  ];
}
