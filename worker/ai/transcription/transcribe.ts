// Speech to text through the gateway: a transcription model of the catalogue, sent the audio as OpenAI's
// multipart `POST /audio/transcriptions` documents it, with the same credit hold, data policy, metering (one
// usage row, billed at the catalogue's prices) and content logging as every other AI request. The audio stays in
// memory: even with content logging on, the logged request names the file (type and size), never its bytes.
import { reserveCredit } from "../../billing/credits";
import { type Config, getConfig } from "../../config";
import { loggingPolicy } from "../../content/capture";
import { AppError, badRequest } from "../../errors";
import { customerKey } from "../../provider-keys/cache";
import { withPlatformFee } from "../../provider-keys/fee";
import { byokKeyRejected, isKeyRejection } from "../../provider-keys/rejected";
import { providerPolicy } from "../catalogue";
import type { CatalogueModel } from "../catalogue/model";
import { costMicros } from "../catalogue/prices";
import { requireModel } from "../catalogue/require";
import { dataPolicyViolation } from "../data-policy/refuse";
import { type DataPolicyName, effectivePolicies, violatedPolicy } from "../data-policy/rules";
import { type MeteredRequest, meter } from "../metering";
import { connect, type Provider, providerAvailable, providers } from "../providers/registry";
import { fromUpstreamStatus, upstreamTimeout, upstreamUnreachable } from "../upstream-errors";

/**
 * Audio tokens per second of speech, for an estimate when the provider reports no usage: OpenAI prices
 * gpt-4o-mini-transcribe at $3 per 1M audio tokens and estimates $0.003 a minute, so about 1,000 a minute.
 */
const AUDIO_TOKENS_PER_SECOND = 17;
/** Bytes per second of a voice note (Opus at 16 kbit/s, WhatsApp's own encoding), for the same estimate. */
const AUDIO_BYTES_PER_SECOND = 2_000;

export type TranscriptionRequest = {
  accountId: string;
  keyId: string | null;
  /** "api", "whatsapp", … (the usage row's source). */
  source: string;
  model: string;
  file: { bytes: Uint8Array; mimeType: string; filename: string };
  /** OpenAI's optional fields, passed on as sent. */
  language?: string;
  prompt?: string;
  temperature?: number;
  /** Providers the account brought its own key for (from the cached key); absent: none. */
  byokProviders?: string[];
  startedAt: number;
  requestId?: string;
  spendLimitMicros?: number | null;
  keyDataPolicy?: DataPolicyName;
  /** WhatsApp: the contact's keyed hash, carried onto the logged copy so the contact's erasure finds it. */
  contactHash?: string;
  onMeter?: () => void;
};

/** The provider's answer as OpenAI documents it (CreateTranscriptionResponseJson). */
type TranscriptionAnswer = {
  text: string;
  usage?: {
    type?: string;
    input_tokens?: number;
    output_tokens?: number;
    seconds?: number;
  };
  [field: string]: unknown;
};

export type Transcribed = {
  answer: TranscriptionAnswer;
  requestId: string;
  model: CatalogueModel;
  costMicros: number;
};

/** One multipart POST to the provider's transcription path, with the platform's key or the customer's own. */
function post(config: Config, provider: Provider, form: FormData, ownKey?: string): Promise<Response> {
  const connection = connect(config, provider, ownKey);
  return fetch(`${connection.baseUrl}${provider.paths.transcriptions}`, {
    method: "POST",
    // Built from nothing: nothing of the client's request goes on; fetch sets the multipart boundary.
    headers: { accept: "application/json", ...provider.headers(connection) },
    body: form,
    signal: AbortSignal.timeout(config.ai.timeoutMs),
  });
}

/** The transcription model an id names, or the 404/400 a client gets. */
function transcriptionModel(env: Env, id: string): CatalogueModel {
  const model = requireModel(getConfig(env), id);
  const path = providers[model.provider].paths.transcriptions;
  if (model.kind !== "transcription" || !path) {
    throw badRequest(
      `The model '${id}' cannot be used for audio.transcriptions.`,
      "model",
      "model_not_supported",
    );
  }
  return model;
}

/** Audio tokens estimated from the file (used only when the provider reports no token usage). */
function estimatedAudioTokens(model: CatalogueModel, bytes: number, seconds?: number): number {
  const duration = seconds ?? bytes / AUDIO_BYTES_PER_SECOND;
  return Math.min(model.contextTokens, Math.ceil(duration * AUDIO_TOKENS_PER_SECOND));
}

/** The token usage OpenAI reports (`type: "tokens"`), or undefined for a duration or none (estimated then). */
function tokenUsage(answer: TranscriptionAnswer) {
  const u = answer.usage;
  if (u?.type !== "tokens" || typeof u.input_tokens !== "number" || typeof u.output_tokens !== "number")
    return undefined;
  return { inputTokens: u.input_tokens, outputTokens: u.output_tokens };
}

/**
 * Transcribes one audio file; throws AppError like the chat path (404 unknown model, 400 not a transcription
 * model, 402 out of credit, 403 data policy, 4xx/5xx from the provider). Metered exactly once after the credit
 * is held: a failure is a zero-cost row, an answer is billed at the catalogue's prices.
 */
export async function transcribe(
  env: Env,
  ctx: ExecutionContext,
  input: TranscriptionRequest,
): Promise<Transcribed> {
  const config = getConfig(env);
  const model = transcriptionModel(env, input.model);
  const provider = providers[model.provider];
  const background = (work: Promise<unknown>) => ctx.waitUntil(work);
  // Bring your own key: the account's own key for the provider when it has one, billed the platform fee.
  let own = input.byokProviders?.includes(model.provider)
    ? await customerKey(env, input.accountId, model.provider)
    : null;
  const worstCase = costMicros(model, {
    inputTokens: model.contextTokens,
    outputTokens: model.maxOutputTokens,
  });
  const [policy, hold] = await Promise.all([
    loggingPolicy(env, input.accountId, background),
    // The worst case: the model's whole input window of audio and its longest transcript.
    reserveCredit(
      env,
      input.accountId,
      own ? withPlatformFee(worstCase, config.ai.byokFeeBasisPoints) : worstCase,
      background,
      input.keyId && input.spendLimitMicros != null
        ? { keyId: input.keyId, limit: input.spendLimitMicros }
        : undefined,
    ),
  ]);
  const described = {
    model: input.model,
    file: {
      filename: input.file.filename,
      mime_type: input.file.mimeType,
      bytes: input.file.bytes.byteLength,
    },
    ...(input.language ? { language: input.language } : {}),
    ...(input.prompt ? { prompt: input.prompt } : {}),
  };
  const request: MeteredRequest = {
    id: input.requestId ?? crypto.randomUUID(),
    accountId: input.accountId,
    keyId: input.keyId,
    source: input.source,
    endpoint: "audio.transcriptions",
    streamed: false,
    startedAt: input.startedAt,
    hold,
    policy,
    requestText: policy.enabled ? JSON.stringify(described) : undefined,
    contactHash: input.contactHash,
    estimatedInput: estimatedAudioTokens(model, input.file.bytes.byteLength),
    onMeter: input.onMeter,
  };
  const failed = (error: AppError): never => {
    meter(env, ctx, request, { status: error.status, model: undefined, requested: model.id, error });
    throw error;
  };
  const refused = violatedPolicy(
    effectivePolicies(policy.dataPolicy, input.keyDataPolicy),
    providerPolicy(model.provider),
  );
  if (refused) failed(dataPolicyViolation(model, refused));

  const form = new FormData();
  form.append(
    "file",
    new Blob([input.file.bytes as Uint8Array<ArrayBuffer>], { type: input.file.mimeType }),
    input.file.filename,
  );
  form.append("model", model.upstreamModel);
  form.append("response_format", "json");
  if (input.language) form.append("language", input.language);
  if (input.prompt) form.append("prompt", input.prompt);
  if (input.temperature !== undefined) form.append("temperature", String(input.temperature));

  let response: Response;
  try {
    response = await post(config, provider, form, own?.apiKey);
    // The account's own key refused: the platform's key only when the customer allowed it (at list price).
    if (own && isKeyRejection(response.status)) {
      await response.body?.cancel();
      if (!own.allowPlatformFallback || !providerAvailable(config, provider.id))
        return failed(byokKeyRejected(provider.id, response.status));
      own = null;
      response = await post(config, provider, form);
    }
  } catch (error) {
    if (error instanceof AppError) return failed(error);
    return failed(
      error instanceof Error && error.name === "TimeoutError" ? upstreamTimeout() : upstreamUnreachable(),
    );
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) return failed(fromUpstreamStatus(response.status, response.headers, text));
  let answer: TranscriptionAnswer;
  try {
    answer = JSON.parse(text) as TranscriptionAnswer;
    if (typeof answer.text !== "string") throw new Error("no text");
  } catch {
    return failed(
      new AppError(502, "The provider sent an unreadable answer.", {
        code: "upstream_error",
        type: "api_error",
      }),
    );
  }
  request.firstByteAt = Date.now();
  const seconds = typeof answer.usage?.seconds === "number" ? answer.usage.seconds : undefined;
  if (seconds !== undefined) request.estimatedInput = estimatedAudioTokens(model, 0, seconds);
  const metered = meter(env, ctx, request, {
    status: 200,
    model,
    requested: model.id,
    usage: tokenUsage(answer),
    deliveredChars: answer.text.length,
    responseText: policy.enabled ? text : undefined,
    ...(own ? { feeBasisPoints: config.ai.byokFeeBasisPoints } : {}),
  });
  return { answer, requestId: request.id, model, costMicros: metered.costMicros };
}
