// POST /v1/audio/transcriptions, OpenAI-compatible: the official SDK's audio.transcriptions.create gets the
// provider's {text, usage}; the audio and the upstream model reach the provider; the request is metered once at
// the catalogue's prices. Refused in OpenAI's error shape, with nothing sent upstream: no file, a model that is
// not a transcription model, an unknown model, a stream, a body over the limit.
import { env, exports } from "cloudflare:workers";
import { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { getConfig } from "#worker/config";
import { withPlatformFee } from "#worker/provider-keys/fee";
import { FAKE_CUSTOMER_OPENAI_KEY, FAKE_TRANSCRIPT } from "../../fakes/openai";
import { marker, openaiFake, received, script, usageRows, v1 } from "../support/ai-helpers";
import { call, expectError, newKeyUser, PASSWORD } from "../support/helpers";
import { openai } from "../support/sdk-clients";

const MODEL = "openai/gpt-4o-mini-transcribe";
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** A small Ogg "recording" whose bytes carry a marker (to script the fake and find what it received). */
function audio(tag: string, size = 2_345): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode(`OggS\0\x02${tag}`));
  return bytes;
}

/** A multipart request to the Worker, as any HTTP client would send it. */
function upload(key: string, fields: Record<string, string | File>): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return exports.default.fetch(
    new Request(`${v1}/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: form,
    }),
  );
}

const oggFile = (bytes: Uint8Array, name = "note.ogg") =>
  new File([bytes as Uint8Array<ArrayBuffer>], name, { type: "audio/ogg" });

describe("POST /v1/audio/transcriptions", () => {
  it("answers the OpenAI SDK's audio.transcriptions.create, and meters the request once at the catalogue price", async () => {
    const user = await newKeyUser();
    const bytes = audio(marker("sdk"));
    const result = await openai(user.key).audio.transcriptions.create({
      file: await toFile(bytes, "note.ogg", { type: "audio/ogg" }),
      model: MODEL,
      language: "en",
    });
    const words = FAKE_TRANSCRIPT.split(" ").length;
    const audioTokens = Math.ceil(bytes.length / 100); // the fake: one audio token per 100 bytes
    expect(result).toEqual({
      text: FAKE_TRANSCRIPT,
      usage: {
        type: "tokens",
        input_tokens: audioTokens,
        input_token_details: { text_tokens: 0, audio_tokens: audioTokens },
        output_tokens: words,
        total_tokens: audioTokens + words,
      },
    });

    // The provider got the audio itself, under its own model name, as OpenAI's multipart fields.
    const [sent, ...more] = await received(openaiFake(), base64(bytes));
    expect(more).toEqual([]);
    expect(sent!.path).toBe("/v1/audio/transcriptions");
    expect(sent!.headers.authorization).toBe("Bearer sk-platform-test");
    expect(JSON.parse(sent!.body)).toMatchObject({
      model: "gpt-4o-mini-transcribe",
      language: "en",
      response_format: "json",
      file: { filename: "note.ogg", type: "audio/ogg", base64: base64(bytes) },
    });

    const rows = (await usageRows(user.id, 1)).filter((r) => r.endpoint === "audio.transcriptions");
    expect(rows).toEqual([
      expect.objectContaining({
        key_id: user.keyId,
        source: "api",
        model: MODEL,
        status: 200,
        input_tokens: audioTokens,
        output_tokens: words,
        estimated: 0,
        // $3.00 per 1M audio tokens, $5.00 per 1M output tokens (catalogue.json), in micro-USD, rounded up once.
        cost_micros: Math.ceil((audioTokens * 3_000_000 + words * 5_000_000) / 1_000_000),
      }),
    ]);
  });

  it("goes with the account's own provider key, billed at the platform fee; a refused own key is a 424", async () => {
    const user = await newKeyUser();
    const stored = await call("/api/provider-keys/openai", {
      method: "PUT",
      cookie: user.cookie,
      body: { key: FAKE_CUSTOMER_OPENAI_KEY, password: PASSWORD },
    });
    expect(stored.status).toBe(200);
    const bytes = audio(marker("byok"));
    const res = await upload(user.key, { file: oggFile(bytes), model: MODEL });
    expect(res.status).toBe(200);
    const [sent] = await received(openaiFake(), base64(bytes));
    expect(sent!.headers.authorization).toBe(`Bearer ${FAKE_CUSTOMER_OPENAI_KEY}`);
    const words = FAKE_TRANSCRIPT.split(" ").length;
    const list = Math.ceil((Math.ceil(bytes.length / 100) * 3_000_000 + words * 5_000_000) / 1_000_000);
    const [row] = await usageRows(user.id, 1);
    expect(row).toMatchObject({
      status: 200,
      cost_micros: withPlatformFee(list, getConfig(env).ai.byokFeeBasisPoints),
    });

    const tag = marker("byok-refused");
    await script(openaiFake(), { match: tag, status: 401 });
    const refused = await upload(user.key, { file: oggFile(audio(tag)), model: MODEL });
    expect(await expectError(refused, 424)).toMatchObject({ code: "byok_key_rejected" });
  });

  it("passes a provider's refusal on in OpenAI's shape, metered at no cost", async () => {
    const user = await newKeyUser();
    const tag = marker("refused-upstream");
    await script(openaiFake(), {
      match: tag,
      status: 400,
      body: { error: { message: "Audio file might be corrupted", type: "invalid_request_error" } },
    });
    const res = await upload(user.key, { file: oggFile(audio(tag)), model: MODEL });
    const error = await expectError(res, 400);
    expect(error).toMatchObject({ code: "upstream_invalid_request" });
    const rows = (await usageRows(user.id, 1)).filter((r) => r.endpoint === "audio.transcriptions");
    expect(rows).toEqual([expect.objectContaining({ status: 400, cost_micros: 0 })]);
  });

  it("refuses a request without a file, naming the field, and sends nothing upstream", async () => {
    const user = await newKeyUser();
    const tag = marker("no-file");
    const res = await upload(user.key, { model: MODEL, prompt: tag });
    const error = await expectError(res, 400);
    expect(error).toMatchObject({ param: "file", type: "invalid_request_error" });
    expect(await received(openaiFake(), tag)).toEqual([]);
  });

  it("refuses a model that is not a transcription model, before anything is sent", async () => {
    const user = await newKeyUser();
    const bytes = audio(marker("chat-model"));
    const res = await upload(user.key, { file: oggFile(bytes), model: "openai/gpt-4o-mini" });
    expect(await expectError(res, 400)).toMatchObject({ code: "model_not_supported", param: "model" });
    expect(await received(openaiFake(), base64(bytes))).toEqual([]);
    expect(await usageRows(user.id, 1)).toEqual([
      expect.objectContaining({ endpoint: "audio.transcriptions", status: 400, cost_micros: 0 }),
    ]);
  });

  it("refuses an unknown model with a 404 and a stream with a 400", async () => {
    const user = await newKeyUser();
    const bytes = audio(marker("unknown"));
    const unknown = await upload(user.key, { file: oggFile(bytes), model: "openai/whisper-9" });
    expect(await expectError(unknown, 404)).toMatchObject({ code: "model_not_found" });
    const streamed = await upload(user.key, { file: oggFile(bytes), model: MODEL, stream: "true" });
    expect(await expectError(streamed, 400)).toMatchObject({ param: "stream" });
    const notAudio = await upload(user.key, {
      file: new File(["hello"], "notes.txt", { type: "text/plain" }),
      model: MODEL,
    });
    expect(await expectError(notAudio, 400)).toMatchObject({ param: "file" });
    expect(await received(openaiFake(), base64(bytes))).toEqual([]);
  });

  it("refuses a body over the AI API's limit with 413, in OpenAI's shape", async () => {
    const user = await newKeyUser();
    const bytes = audio(marker("huge"), 20 * 1024 * 1024 + 1);
    const res = await upload(user.key, { file: oggFile(bytes), model: MODEL });
    expect(await expectError(res, 413)).toMatchObject({ code: "body_too_large" });
  });
});
