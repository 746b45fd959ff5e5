// Listening to a voice note: the audio downloaded from Graph (in memory) is transcribed by the deployment's
// transcription model through the gateway — metered to the account with source "whatsapp" like every answer,
// logged only when content logging is on (and then the transcript, never the audio).
import { findModel } from "../ai/catalogue";
import { transcribe } from "../ai/transcription/transcribe";
import { getConfig } from "../config";
import { toAppError } from "../errors";
import { fetchMedia } from "./graph";

export type Heard =
  | { ok: true; transcript: string }
  /** This deployment has no transcription model (its provider is not configured): say so in the prompt. */
  | { ok: false; reason: "unavailable" }
  | { ok: false; reason: "no_credit" }
  /** The provider failed or heard nothing: a fixed reply asks the customer to type (nothing is charged). */
  | { ok: false; reason: "failed"; error: string }
  /** The download failed in a way that may work later: the message is retried like a Graph send. */
  | { ok: false; reason: "retry"; error: string };

/** The file name OpenAI needs to tell the format ("voice-note.ogg"); WhatsApp sends Opus in Ogg. */
function filename(mimeType: string): string {
  const subtype = mimeType.split(";")[0]!.trim().toLowerCase();
  const extension: Record<string, string> = {
    "audio/ogg": "ogg",
    "audio/opus": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "m4a",
    "audio/amr": "amr",
    "audio/wav": "wav",
    "audio/webm": "webm",
  };
  return `voice-note.${extension[subtype] ?? "ogg"}`;
}

/**
 * The voice note's words, or why there are none. Nothing is downloaded when no transcription model is
 * available; the audio is fetched from Graph into memory and goes only to the transcription model.
 */
export async function hearVoiceNote(
  env: Env,
  ctx: ExecutionContext,
  input: { accountId: string; contactHash: string; mediaId: string; accessToken: string },
): Promise<Heard> {
  const config = getConfig(env);
  const model = findModel(config, config.whatsapp.transcriptionModel);
  if (model?.kind !== "transcription") return { ok: false, reason: "unavailable" };
  const fetched = await fetchMedia(config, { mediaId: input.mediaId, accessToken: input.accessToken });
  if (!fetched.ok) return { ok: false, reason: fetched.retryable ? "retry" : "failed", error: fetched.error };
  try {
    const { answer } = await transcribe(env, ctx, {
      accountId: input.accountId,
      keyId: null,
      source: "whatsapp",
      contactHash: input.contactHash,
      model: model.id,
      file: { bytes: fetched.bytes, mimeType: fetched.mimeType, filename: filename(fetched.mimeType) },
      startedAt: Date.now(),
    });
    const transcript = answer.text.trim();
    if (!transcript) return { ok: false, reason: "failed", error: "transcription_empty" };
    return { ok: true, transcript };
  } catch (error) {
    const e = toAppError(error);
    if (e.status === 402) return { ok: false, reason: "no_credit" };
    return {
      ok: false,
      reason: "failed",
      error: `transcription_error: HTTP ${e.status}${e.options.code ? ` (${e.options.code})` : ""}`,
    };
  }
}
