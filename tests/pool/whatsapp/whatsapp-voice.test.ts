// Voice notes are listened to: the audio is downloaded from the Graph fake into memory, transcribed by the
// catalogue's transcription model through the gateway (the OpenAI fake's /v1/audio/transcriptions sees the
// bytes and the model), metered once at the catalogue price, and the transcript answered as the customer's
// words. Logging off keeps nothing of it; a failed transcription gets a fixed reply and costs nothing;
// restriction, opt-out and an empty balance stop it before any transcription call.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountDataKey } from "#worker/content/data-keys";
import { openExchange } from "#worker/content/store";
import { VOICE_FALLBACK_REPLY } from "#worker/whatsapp/answer";
import { VOICE_NOTE_HEARD } from "#worker/whatsapp/prompt";
import { marker, openaiFake, received, requestLogRows, script } from "../support/ai-helpers";
import { setBalance } from "../support/billing-helpers";
import { countRows } from "../support/d1-count";
import { call } from "../support/helpers";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  graphOrigin,
  inboundMessage,
  messageRow,
  notification,
  sentFrom,
  wamid,
} from "../support/whatsapp-helpers";

const CHAT_MODEL = "openai/gpt-4o-mini";
const VOICE_MIME = "audio/ogg; codecs=opus";
const mediaId = () => String(Math.floor(Math.random() * 1e15)).padStart(15, "8");
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** An Ogg/Opus voice note as WhatsApp records it: "OggS" pages; the marker lets a test script the fake. */
function voiceBytes(tag: string, size = 1234): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(`OggS\0\x02${tag}OpusHead`));
  return bytes;
}

/** Puts the voice note on the fake Graph API and delivers the message that names it. */
async function sendVoiceNote(
  user: { appSecret: string; phoneNumberId: string },
  bytes: Uint8Array,
  from?: string,
) {
  const id = mediaId();
  await fetch(`${graphOrigin()}/__media`, {
    method: "POST",
    body: JSON.stringify({ id, mimeType: VOICE_MIME, base64: base64(bytes) }),
  });
  const m = {
    from: from ?? customerNumber(),
    id: wamid(),
    timestamp: String(Math.floor(Date.now() / 1000)),
    type: "audio",
    audio: { mime_type: VOICE_MIME, sha256: "x", id, voice: true },
  };
  await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
  return m;
}

type Upload = {
  model: string;
  response_format: string;
  file: { filename: string; type: string; base64: string };
};
type Asked = { messages: { role: string; content: string }[] };

/** What the transcription fake received for these bytes (the recorded multipart fields). */
async function transcriptionCalls(bytes: Uint8Array) {
  const calls = await received(openaiFake(), base64(bytes));
  return calls.map((c) => ({ path: c.path, body: JSON.parse(c.body) as Upload }));
}

const transcriptionRows = async (accountId: string) =>
  (await requestLogRows(accountId)).filter((r) => r.endpoint === "audio.transcriptions");

describe("voice notes", () => {
  it("are transcribed through the gateway, answered as the customer's words, and metered once at the catalogue price", async () => {
    const system = marker("voice-system");
    const user = await connectedUser({ model: CHAT_MODEL, systemPrompt: `You help a bakery. ${system}` });
    const tag = marker("voice");
    const said = `Do you have sourdough today? ${marker("said")}`;
    await script(openaiFake(), { match: tag, reply: said });
    const bytes = voiceBytes(tag);
    const m = await sendVoiceNote(user, bytes);

    // The transcription model got the audio itself, as a file OpenAI can tell the format of.
    const [upload, ...more] = await transcriptionCalls(bytes);
    expect(more).toEqual([]);
    expect(upload!.path).toBe("/v1/audio/transcriptions");
    expect(upload!.body).toMatchObject({
      model: "gpt-4o-mini-transcribe",
      response_format: "json",
      file: { filename: "voice-note.ogg", type: VOICE_MIME, base64: base64(bytes) },
    });

    // The chat model was asked with the transcript as the customer's turn, and its answer went back.
    const [asked] = await received(openaiFake(), system);
    const body = JSON.parse(asked!.body) as Asked;
    expect(body.messages.at(-1)).toEqual({ role: "user", content: `${VOICE_NOTE_HEARD}\n${said}` });
    const [reply] = await sentFrom(user.phoneNumberId);
    expect(reply!.text).toBe("Hello from the fake OpenAI provider.");
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "replied" });

    // One request-log row for the transcription, billed from the provider's usage at the catalogue's
    // prices: $3.00 per 1M audio tokens (1234 bytes → 13 in the fake), $5.00 per 1M output tokens (a word each).
    const rows = await transcriptionRows(user.accountId);
    const words = said.split(" ").length;
    expect(rows).toEqual([
      expect.objectContaining({
        source: "whatsapp",
        model: "openai/gpt-4o-mini-transcribe",
        provider: "openai",
        status: 200,
        input_tokens: 13,
        output_tokens: words,
        estimated: 0,
        cost_micros: Math.ceil((13 * 3_000_000 + words * 5_000_000) / 1_000_000),
      }),
    ]);
  });

  it("with logging off, keeps nothing of the audio or the transcript (R2, D1 context)", async () => {
    const user = await connectedUser({ model: CHAT_MODEL });
    const tag = marker("voice-off");
    const said = `Please call me back ${marker("said-off")}`;
    await script(openaiFake(), { match: tag, reply: said });
    const bytes = voiceBytes(tag);
    const m = await sendVoiceNote(user, bytes);
    expect(await transcriptionCalls(bytes)).toHaveLength(1);
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "replied" });

    const listed = await env.CONTENT.list({ prefix: "content/" });
    expect(listed.objects.filter((o) => o.key.includes(user.accountId))).toEqual([]);
    for (const table of ["whatsapp_context", "whatsapp_pending"]) {
      expect(await countRows(`SELECT count(*) AS n FROM ${table} WHERE account_id = ?`, user.accountId)).toBe(
        0,
      );
    }
  });

  it("with logging on, keeps the transcript as context and the logged copies encrypted, never the audio", async () => {
    const user = await connectedUser({ model: CHAT_MODEL });
    const on = await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true, retentionDays: 7 },
      cookie: user.cookie,
    });
    expect(on.status).toBe(200);
    const tag = marker("voice-on");
    const said = `Is the shop open on Sunday? ${marker("said-on")}`;
    await script(openaiFake(), { match: tag, reply: said });
    const bytes = voiceBytes(tag);
    await sendVoiceNote(user, bytes);
    expect(await transcriptionCalls(bytes)).toHaveLength(1);

    // The transcription's logged copy and the answer's: both under the account, both ciphertext.
    const mine = (await env.CONTENT.list({ prefix: "content/7d/" })).objects.filter((o) =>
      o.key.includes(user.accountId),
    );
    expect(mine).toHaveLength(2);
    const key = (await accountDataKey(env, user.accountId, { create: false }))!;
    const opened = [];
    for (const o of mine) {
      const sealed = new Uint8Array(await (await env.CONTENT.get(o.key))!.arrayBuffer());
      expect(new TextDecoder().decode(sealed)).not.toContain(said);
      opened.push(await openExchange(o.key, sealed, key));
    }
    // Opened: the transcription's copy names the file (type and size) and keeps the transcript, not the audio.
    const logged = opened.find((e) => e.model === "openai/gpt-4o-mini-transcribe")!;
    expect(JSON.parse(logged.request)).toEqual({
      model: "openai/gpt-4o-mini-transcribe",
      file: { filename: "voice-note.ogg", mime_type: VOICE_MIME, bytes: bytes.length },
    });
    expect(JSON.parse(logged.response)).toMatchObject({ text: said });
    for (const e of opened) expect(`${e.request}${e.response}`).not.toContain(tag);
    // The exchange is kept as (sealed) context: the transcript and the reply.
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_context WHERE account_id = ?", user.accountId),
    ).toBe(2);
  });

  it("gets a clear fixed reply when transcription fails, and nothing is charged", async () => {
    const system = marker("voice-fail-system");
    const user = await connectedUser({ model: CHAT_MODEL, systemPrompt: `You help a bakery. ${system}` });
    const tag = marker("voice-fail");
    await script(openaiFake(), { match: tag, status: 500, times: 5 });
    const bytes = voiceBytes(tag);
    const m = await sendVoiceNote(user, bytes);

    expect(await transcriptionCalls(bytes)).toHaveLength(1);
    expect(await received(openaiFake(), system)).toEqual([]); // the chat model was not asked
    expect(await sentFrom(user.phoneNumberId)).toMatchObject([{ text: VOICE_FALLBACK_REPLY }]);
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "replied" });
    const rows = await requestLogRows(user.accountId);
    expect(rows).toEqual([
      expect.objectContaining({ endpoint: "audio.transcriptions", status: 502, cost_micros: 0 }),
    ]);
  });

  it("is never transcribed while processing is restricted", async () => {
    const user = await connectedUser({ model: CHAT_MODEL });
    const restricted = await call("/api/privacy/requests", {
      body: { type: "restriction" },
      cookie: user.cookie,
    });
    expect(restricted.ok).toBe(true);
    const bytes = voiceBytes(marker("voice-restricted"));
    const m = await sendVoiceNote(user, bytes);
    expect(await transcriptionCalls(bytes)).toEqual([]);
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "skipped" });
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
  });

  it("is never transcribed after the contact sent STOP", async () => {
    const user = await connectedUser({ model: CHAT_MODEL });
    const from = customerNumber();
    const stop = inboundMessage({ from, body: "STOP" });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [stop] }));
    const bytes = voiceBytes(marker("voice-stopped"));
    const m = await sendVoiceNote(user, bytes, from);
    expect(await transcriptionCalls(bytes)).toEqual([]);
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "opted_out" });
  });

  it("is not sent to the provider when the account is out of credit", async () => {
    const user = await connectedUser({ model: CHAT_MODEL });
    await setBalance(user.accountId, 0);
    const bytes = voiceBytes(marker("voice-broke"));
    const m = await sendVoiceNote(user, bytes);
    expect(await transcriptionCalls(bytes)).toEqual([]);
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "no_credit" });
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
  });
});
