// One AI request end to end: resolve the model, reserve credit, call the provider (retries, fallbacks, deadline),
// answer in the client's dialect (streamed chunk by chunk or whole), and meter it exactly once.
//   runAi → prepare (model, limits, translations, credit and policy) → tryCandidates (the model, then its
//   fallbacks) → respondStreamed or respondWhole.
import { type CreditHold, reserveCredit } from "../billing/credits";
import { type Config, getConfig } from "../config";
import { type LoggingPolicy, loggingPolicy } from "../content/capture";
import { policyNeedsRead } from "../content/policy";
import { AppError, badRequest } from "../errors";
import { customerKey } from "../provider-keys/cache";
import { withPlatformFee } from "../provider-keys/fee";
import { byokKeyRejected, isKeyRejection } from "../provider-keys/rejected";
import { findModel, providerPolicy } from "./catalogue";
import type { CatalogueModel } from "./catalogue/model";
import { costMicros } from "./catalogue/prices";
import { requireModel } from "./catalogue/require";
import { dataPolicyViolation } from "./data-policy/refuse";
import { type DataPolicyName, effectivePolicies, routeWithinPolicy } from "./data-policy/rules";
import { type Endpoint, type MeteredRequest, meter } from "./metering";
import {
  type Dialect,
  type Operation,
  type ProviderId,
  providerAvailable,
  providers,
} from "./providers/registry";
import { openStream, tooManyStreams } from "./rate-limit";
import { relay } from "./relay";
import type { Timing } from "./timing";
import { chatPromptTokens, reservedInputTokens, textLength } from "./tokens";
import { translationFor } from "./translate";
import type { Translation, TranslationContext } from "./translate/types";
import { callUpstream, Deadline, type UpstreamResult } from "./upstream";
import { isRetryable, upstreamTimeout } from "./upstream-errors";

export type AiCall = {
  operation: Operation;
  endpoint: Endpoint;
  clientDialect: Dialect;
  /** The validated request body, in the client's dialect. */
  body: Record<string, unknown>;
  accountId: string;
  keyId: string | null;
  /** The key's monthly spend limit (micro-USD, UTC month), from the cached key; null or absent: none. */
  spendLimitMicros?: number | null;
  /** The key's narrowing of its account's data policy (from the cached key); absent: the account's alone. */
  keyDataPolicy?: DataPolicyName;
  /** Providers the account brought its own key for (from the cached key); absent: none. */
  byokProviders?: string[];
  source: string;
  /** WhatsApp: the contact's keyed hash, put on the logged copy's metadata so a contact's data can be found. */
  contactHash?: string;
  /** When the request arrived (the overhead header and the usage row's latency count from here). */
  startedAt: number;
  /** Server-Timing's stages, when the client asked for them (timing.ts). */
  timing?: Timing;
  /** The request id the client sees (x-request-id); also the usage row's id. Minted here when absent. */
  requestId?: string;
  /** Watches a stream's key: its signal ends the stream when the key is revoked or expires (worker/keys/stream-guard.ts). */
  guardStream?: () => { signal: AbortSignal; release: () => void };
  /** Told when the request is metered (it then has its metrics point; the access log writes none). */
  onMeter?: () => void;
  /** Told the metered tokens and cost of a non-streamed answer (internal callers report them). */
  onMetered?: (usage: { inputTokens: number; outputTokens: number; costMicros: number }) => void;
};

/** Output tokens asked of a provider that needs a cap (Anthropic) when the client set none. */
const DEFAULT_MAX_TOKENS = 4_096;

function resolveModel(config: Config, call: AiCall): CatalogueModel {
  const id = String(call.body.model);
  const model = requireModel(config, id);
  const wanted = call.operation === "embeddings" ? "embedding" : "chat";
  if (model.kind !== wanted) {
    throw badRequest(
      `The model '${id}' cannot be used for ${call.endpoint}.`,
      "model",
      "model_not_supported",
    );
  }
  return model;
}

/** The model, then its configured fallbacks that can serve the same operation. */
function candidates(config: Config, model: CatalogueModel): CatalogueModel[] {
  const chain = (config.ai.fallbacks[model.id] ?? [])
    .map((id) => findModel(config, id))
    .filter((m): m is CatalogueModel => m !== undefined && m.kind === model.kind && m.id !== model.id);
  return [model, ...chain];
}

/** The output cap asked for; with several cap fields, the largest (a provider may honour any of them). */
function requestedMaxTokens(body: Record<string, unknown>): number | undefined {
  const caps = [body.max_completion_tokens, body.max_tokens, body.max_output_tokens].filter(
    (v): v is number => typeof v === "number",
  );
  return caps.length ? Math.max(...caps) : undefined;
}

/**
 * The most output a request can be billed for: every choice (`n`) at its cap, the model's own maximum when
 * the client set none (an Anthropic-dialect provider is always sent a cap, DEFAULT_MAX_TOKENS at most).
 */
function worstCaseOutput(
  model: CatalogueModel,
  body: Record<string, unknown>,
  maxTokens: number | undefined,
) {
  if (model.kind !== "chat") return 0;
  const choices = typeof body.n === "number" && body.n > 1 ? body.n : 1;
  const sentCap =
    providers[model.provider].dialect === "anthropic"
      ? Math.min(DEFAULT_MAX_TOKENS, model.maxOutputTokens)
      : model.maxOutputTokens;
  return choices * (maxTokens ?? sentCap);
}

function checkOutputCap(model: CatalogueModel, maxTokens: number | undefined) {
  if (maxTokens !== undefined && model.kind === "chat" && maxTokens > model.maxOutputTokens) {
    throw badRequest(
      `max_tokens is too large for ${model.id}: at most ${model.maxOutputTokens}.`,
      "max_tokens",
      "max_tokens_exceeded",
    );
  }
}

/** OpenAI-family models are counted with OpenAI's tokenizer; the others with the estimate. */
function usesTokenizer(model: CatalogueModel): boolean {
  return model.provider === "openai";
}

/** One model the request may be sent to: its translation and the body it would be sent. */
type Candidate = {
  model: CatalogueModel;
  translation: Translation;
  upstreamBody: Record<string, unknown>;
  context: TranslationContext;
};

/** What the candidates share once the request is accepted: the metered request and the model asked for. */
type Prepared = {
  config: Config;
  chain: Candidate[];
  request: MeteredRequest;
  /** The model id asked for (the usage row names it when a fallback answered). */
  requested: string;
};

/**
 * Answers one AI request. The work runs to its end under waitUntil whatever the client does: one that hangs up
 * before the provider answered would otherwise cancel the request's promises, and with them its metering (ADR 023).
 */
export function runAi(env: Env, ctx: ExecutionContext, call: AiCall): Promise<Response> {
  const answered = answerAi(env, ctx, call);
  ctx.waitUntil(answered.then(noop, noop));
  return answered;
}

const noop = () => {};

async function answerAi(env: Env, ctx: ExecutionContext, call: AiCall): Promise<Response> {
  if (call.body.stream !== true) return tryCandidates(env, ctx, call, await prepare(env, ctx, call));
  // A stream holds one of the key's open-stream slots until it ends (the relay's onEnd releases it); an
  // internal caller (the playground) holds one of its account's.
  const release = openStream(call.keyId ?? `${call.source}:${call.accountId}`);
  if (!release) throw tooManyStreams();
  try {
    return await tryCandidates(env, ctx, call, await prepare(env, ctx, call), release);
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Everything before the first upstream call: the model and its fallbacks, the limits, each candidate's upstream
 * body (untranslatable input is refused here, before anything is reserved or sent), then the credit and the
 * logging policy — both answered from the isolate in steady state.
 */
async function prepare(env: Env, ctx: ExecutionContext, call: AiCall): Promise<Prepared> {
  const config = getConfig(env);
  const model = resolveModel(config, call);
  const maxTokens = requestedMaxTokens(call.body);
  checkOutputCap(model, maxTokens);
  // Every input form (text, token ids, images, files, tool schemas) counts; a request no model of its kind could
  // take is refused here (400 context_length_exceeded), before anything is reserved or sent. The walk also refuses
  // JSON nested too deep for anything downstream.
  const estimatedInput = await reservedInputTokens(call.body, model, usesTokenizer(model));
  const includeUsage =
    (call.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const chain = await Promise.all(
    candidates(config, model).map(async (m): Promise<Candidate> => {
      const translation = translationFor(call.clientDialect, providers[m.provider], call.operation);
      const context: TranslationContext = {
        model: m,
        body: call.body,
        estimatedInput,
        includeUsage,
        defaultMaxTokens: Math.min(DEFAULT_MAX_TOKENS, m.maxOutputTokens),
      };
      const upstreamBody = translation.request(call.body, context);
      // An Anthropic-dialect stream names its input tokens in message_start, before the provider counts them:
      // for an OpenAI model, the tokenizer counts them as OpenAI will (LangChain reports that number).
      if (call.clientDialect === "anthropic" && call.body.stream === true && usesTokenizer(m)) {
        context.estimatedInput = await chatPromptTokens(upstreamBody);
      }
      return { model: m, translation, context, upstreamBody };
    }),
  );
  const [policy, hold] = await reserve(env, ctx, call, model, estimatedInput, maxTokens);
  const request: MeteredRequest = {
    id: call.requestId ?? crypto.randomUUID(),
    accountId: call.accountId,
    keyId: call.keyId,
    source: call.source,
    endpoint: call.endpoint,
    streamed: call.body.stream === true,
    startedAt: call.startedAt,
    hold,
    policy,
    requestText: policy.enabled ? JSON.stringify(call.body) : undefined,
    contactHash: call.contactHash,
    estimatedInput,
    onMeter: call.onMeter,
  };
  return {
    config,
    chain: withinPolicy(env, ctx, call, request, chain, policy),
    request,
    requested: model.id,
  };
}

/**
 * The candidates whose providers' published data policies satisfy the account's and the key's: a forbidden
 * fallback is dropped; a forbidden model asked for is refused (403, a zero-cost row, nothing sent upstream).
 */
function withinPolicy(
  env: Env,
  ctx: ExecutionContext,
  call: AiCall,
  request: MeteredRequest,
  chain: Candidate[],
  policy: LoggingPolicy,
): Candidate[] {
  const policies = effectivePolicies(policy.dataPolicy, call.keyDataPolicy);
  const route = routeWithinPolicy(policies, chain, (c) => providerPolicy(c.model.provider));
  if ("allowed" in route) return route.allowed;
  const model = chain[0]!.model;
  const error = dataPolicyViolation(model, route.refused);
  meter(env, ctx, request, { status: 403, model: undefined, requested: model.id, error });
  throw error;
}

/** The logging policy and the credit for the worst case, in parallel; Server-Timing notes where each came from. */
async function reserve(
  env: Env,
  ctx: ExecutionContext,
  call: AiCall,
  model: CatalogueModel,
  estimatedInput: number,
  maxTokens: number | undefined,
): Promise<[LoggingPolicy, CreditHold]> {
  const timing = call.timing;
  const started = Date.now();
  if (timing) {
    timing.creditStarted = started;
    timing.policyFromD1 = policyNeedsRead(call.accountId, started);
  }
  const outputCap = worstCaseOutput(model, call.body, maxTokens);
  const reserved = await Promise.all([
    // Answered from the isolate's cache; an entry just expired is re-read in the background.
    loggingPolicy(env, call.accountId, (work) => ctx.waitUntil(work)),
    // From the isolate's credit lease when it covers the worst case (no round trip); renewed in the background.
    // A key with a monthly spend limit reserves from its allowance in the lease too (402 once it is spent).
    reserveCredit(
      env,
      call.accountId,
      billed(
        getConfig(env),
        call,
        model,
        costMicros(model, { inputTokens: estimatedInput, outputTokens: outputCap }),
      ),
      (work) => ctx.waitUntil(work),
      call.keyId && call.spendLimitMicros != null
        ? { keyId: call.keyId, limit: call.spendLimitMicros }
        : undefined,
    ),
  ]);
  if (timing) {
    timing.creditMs = Date.now() - started;
    timing.reservedIn = reserved[1]?.leaseId ? "lease" : "object";
  }
  return reserved;
}

/** The model, then its fallbacks while the failure is retryable and time is left; the first answer goes out. */
async function tryCandidates(
  env: Env,
  ctx: ExecutionContext,
  call: AiCall,
  prepared: Prepared,
  releaseStream?: () => void,
): Promise<Response> {
  const { config, chain, request, requested } = prepared;
  const deadline = new Deadline(config.ai.timeoutMs);
  const spent = { upstreamMs: 0 };
  for (let i = 0; i < chain.length; i++) {
    const candidate = chain[i]!;
    const provider = providers[candidate.model.provider];
    const operation = candidate.translation.upstreamOperation ?? call.operation;
    const callStarted = Date.now();
    const { result, ownKey } = await callWithKey(env, config, call, provider, operation, candidate, deadline);
    spent.upstreamMs += Date.now() - callStarted;
    if (!result.ok) {
      if (isRetryable(result.error) && i < chain.length - 1 && !deadline.expired) continue;
      deadline.disarm();
      meter(env, ctx, request, {
        status: result.error.status,
        model: undefined,
        requested,
        error: result.error,
      });
      throw result.error;
    }
    const feeBasisPoints = ownKey ? config.ai.byokFeeBasisPoints : undefined;
    const answer: Answer = {
      env,
      ctx,
      call,
      prepared,
      candidate,
      response: result.response,
      spent,
      feeBasisPoints,
    };
    if (request.streamed) {
      deadline.disarm();
      return respondStreamed(answer, releaseStream);
    }
    return respondWhole(answer, deadline);
  }
  throw new Error("unreachable: the candidate chain is never empty");
}

/** A provider's successful response, and what answering it needs. */
type Answer = {
  env: Env;
  ctx: ExecutionContext;
  call: AiCall;
  prepared: Prepared;
  candidate: Candidate;
  response: Response;
  /** Time spent waiting for the provider so far (the rest is the gateway's overhead). */
  spent: { upstreamMs: number };
  /** Set when the customer's own key answered: the platform fee billed instead of the list price. */
  feeBasisPoints?: number;
};

/**
 * One call to a candidate's provider: with the account's own key for it when there is one (bring your own key),
 * else the platform's. A refused own key is a 424 — the platform's key is tried instead only when the customer
 * allowed it (and billed at list price then).
 */
async function callWithKey(
  env: Env,
  config: Config,
  call: AiCall,
  provider: (typeof providers)[ProviderId],
  operation: Operation,
  candidate: Candidate,
  deadline: Deadline,
): Promise<{ result: UpstreamResult; ownKey: boolean }> {
  const own = call.byokProviders?.includes(provider.id)
    ? await customerKey(env, call.accountId, provider.id)
    : null;
  const result = await callUpstream(
    config,
    provider,
    operation,
    candidate.upstreamBody,
    deadline,
    own?.apiKey,
  );
  if (!own || result.ok || !isKeyRejection(result.upstreamStatus)) return { result, ownKey: !!own };
  if (own.allowPlatformFallback && providerAvailable(config, provider.id)) {
    return {
      result: await callUpstream(config, provider, operation, candidate.upstreamBody, deadline),
      ownKey: false,
    };
  }
  return { result: { ok: false, error: byokKeyRejected(provider.id, result.upstreamStatus!) }, ownKey: true };
}

/** What a request is billed: the list price, or the platform fee when the account's own key will answer it. */
function billed(config: Config, call: AiCall, model: CatalogueModel, listMicros: number): number {
  return call.byokProviders?.includes(model.provider)
    ? withPlatformFee(listMicros, config.ai.byokFeeBasisPoints)
    : listMicros;
}
/** The status a stream is metered with: a key revoked or expired mid-stream (stopped) counts as 401. */
const STREAM_STATUS = { complete: 200, aborted: 499, cut: 502, stopped: 401 } as const;
const STREAM_CODE = {
  complete: undefined,
  aborted: "client_closed",
  cut: "stream_failed",
  stopped: "key_revoked_mid_stream",
} as const;

/** Relayed chunk by chunk in the client's dialect; metered once when the stream ends, however it ends. */
function respondStreamed(a: Answer, releaseStream: (() => void) | undefined): Response {
  const { env, ctx, candidate } = a;
  const { config, request, requested } = a.prepared;
  let finished!: () => void;
  ctx.waitUntil(new Promise<void>((resolve) => (finished = resolve)));
  const translator = candidate.translation.stream(candidate.context);
  const guard = a.call.guardStream?.();
  const body = relay(a.response.body!, translator, {
    idleMs: config.ai.timeoutMs,
    capture: request.policy.enabled,
    stop: guard?.signal,
    onFirstSend: () => {
      request.firstByteAt = Date.now();
    },
    onEnd: (outcome, captured) => {
      guard?.release();
      meter(env, ctx, request, {
        status: STREAM_STATUS[outcome],
        code: STREAM_CODE[outcome],
        model: candidate.model,
        requested,
        usage: translator.usage(),
        deliveredChars: translator.deliveredChars(),
        responseText: captured,
        feeBasisPoints: a.feeBasisPoints,
      });
      releaseStream?.();
      finished();
    },
  });
  const headers = answerHeaders(a, "text/event-stream; charset=utf-8");
  headers.set("cache-control", "no-cache");
  return new Response(body, { status: 200, headers });
}

/** Read whole, translated (a pass-through answer goes out exactly as the provider wrote it), metered. */
async function respondWhole(a: Answer, deadline: Deadline): Promise<Response> {
  const { env, ctx, call, candidate } = a;
  const { request, requested } = a.prepared;
  let upstreamJson: Record<string, unknown>;
  let upstreamText: string;
  const bodyStarted = Date.now();
  try {
    upstreamText = await a.response.text();
    upstreamJson = JSON.parse(upstreamText);
  } catch {
    const error = deadline.expired
      ? upstreamTimeout()
      : new AppError(502, "The provider sent an unreadable answer.", {
          code: "upstream_error",
          type: "api_error",
        });
    meter(env, ctx, request, { status: error.status, model: undefined, requested, error });
    throw error;
  } finally {
    deadline.disarm();
  }
  a.spent.upstreamMs += Date.now() - bodyStarted;
  const { body, usage } = candidate.translation.response(upstreamJson, candidate.context);
  // A pass-through answer goes out exactly as the provider wrote it, without re-serialising.
  const text = body === upstreamJson ? upstreamText : JSON.stringify(body);
  request.firstByteAt = Date.now();
  const metered = meter(env, ctx, request, {
    status: 200,
    model: candidate.model,
    requested,
    usage,
    feeBasisPoints: a.feeBasisPoints,
    // Only an answer without usage needs its characters counted (for the estimate).
    deliveredChars: usage
      ? 0
      : textLength(
          (upstreamJson as { choices?: unknown; content?: unknown }).choices ??
            upstreamJson.content ??
            upstreamJson.output,
        ),
    responseText: request.policy.enabled ? text : undefined,
  });
  call.onMetered?.({ ...metered.usage, costMicros: metered.costMicros });
  return new Response(text, { status: 200, headers: answerHeaders(a, "application/json") });
}

/** The request id, the model that answered, the gateway's own time and — when asked for — Server-Timing. */
function answerHeaders(a: Answer, contentType: string): Headers {
  const headers = new Headers({
    "x-request-id": a.prepared.request.id,
    "x-model": a.candidate.model.id,
    "content-type": contentType,
  });
  const upstreamMs = a.spent.upstreamMs;
  headers.set("x-gateway-overhead-ms", String(Math.max(0, Date.now() - a.call.startedAt - upstreamMs)));
  if (a.call.timing) headers.set("server-timing", a.call.timing.header(upstreamMs));
  return headers;
}
