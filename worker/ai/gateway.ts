// One AI request end to end: resolve the model, reserve credit, call the provider (retries, fallbacks, deadline),
// answer in the client's dialect (streamed chunk by chunk or whole), and meter it exactly once.
import { reserveCredit } from "../billing/credits";
import { getConfig } from "../config";
import { loggingPolicy } from "../content/capture";
import { policyNeedsRead } from "../content/policy";
import { AppError, badRequest } from "../errors";
import { findModel } from "./catalogue";
import type { CatalogueModel } from "./catalogue/model";
import { costMicros } from "./catalogue/prices";
import { requireModel } from "./catalogue/require";
import { type Endpoint, type MeteredRequest, meter } from "./metering";
import { type Dialect, type Operation, providers } from "./providers/registry";
import { openStream, tooManyStreams } from "./rate-limit";
import { relay } from "./relay";
import { estimateTokens, textLength } from "./tokens";
import { translationFor } from "./translate";
import type { TranslationContext } from "./translate/types";
import { callUpstream, Deadline } from "./upstream";
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
  /** Authentication read the key from D1 on this request (for Server-Timing's count of awaited calls). */
  keyLookedUp?: boolean;
  source: string;
  startedAt: number;
  /** When the key and its rate limit were checked (Server-Timing splits auth from reading the body). */
  authedAt?: number;
  /** The request id the client sees (x-request-id); also the usage row's id. Minted here when absent. */
  requestId?: string;
  /** Told the metered tokens and cost of a non-streamed answer (internal callers report them). */
  onMetered?: (usage: { inputTokens: number; outputTokens: number; costMicros: number }) => void;
};

/** Output tokens asked of a provider that needs a cap (Anthropic) when the client set none. */
const DEFAULT_MAX_TOKENS = 4_096;

function resolveModel(env: Env, call: AiCall): CatalogueModel {
  const id = String(call.body.model);
  const model = requireModel(env, id);
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
function candidates(env: Env, model: CatalogueModel): CatalogueModel[] {
  const config = getConfig(env);
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

function checkLimits(model: CatalogueModel, inputTokens: number, maxTokens: number | undefined) {
  if (maxTokens !== undefined && model.kind === "chat" && maxTokens > model.maxOutputTokens) {
    throw badRequest(
      `max_tokens is too large for ${model.id}: at most ${model.maxOutputTokens}.`,
      "max_tokens",
      "max_tokens_exceeded",
    );
  }
  if (inputTokens > model.contextTokens) {
    throw badRequest(
      `The input is longer than ${model.id}'s context of ${model.contextTokens} tokens.`,
      "messages",
      "context_length_exceeded",
    );
  }
}

export async function runAi(env: Env, ctx: ExecutionContext, call: AiCall): Promise<Response> {
  if (call.body.stream !== true) return answer(env, ctx, call, undefined);
  // A stream holds one of the key's open-stream slots until it ends (the relay's onEnd releases it); an
  // internal caller (the playground) holds one of its account's.
  const release = openStream(call.keyId ?? `${call.source}:${call.accountId}`);
  if (!release) throw tooManyStreams();
  try {
    return await answer(env, ctx, call, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function answer(
  env: Env,
  ctx: ExecutionContext,
  call: AiCall,
  releaseStream: (() => void) | undefined,
): Promise<Response> {
  const config = getConfig(env);
  const model = resolveModel(env, call);
  const stream = call.body.stream === true;
  const maxTokens = requestedMaxTokens(call.body);
  // Every string of the request (messages, system, input, instructions, tools) counts as input; the walk also
  // refuses JSON nested too deep for anything downstream, before anything is reserved or sent.
  const estimatedInput = estimateTokens(textLength(call.body));
  checkLimits(model, estimatedInput, maxTokens);
  const outputCap = worstCaseOutput(model, call.body, maxTokens);
  const translationContext = (m: CatalogueModel): TranslationContext => ({
    model: m,
    body: call.body,
    estimatedInput,
    includeUsage:
      (call.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
    defaultMaxTokens: Math.min(DEFAULT_MAX_TOKENS, m.maxOutputTokens),
  });
  // Untranslatable input is refused before anything is reserved or sent.
  const chain = candidates(env, model);
  const upstreamBodies = chain.map((m) =>
    translationFor(call.clientDialect, providers[m.provider], call.operation).request(
      call.body,
      translationContext(m),
    ),
  );

  const creditStarted = Date.now();
  const policyRead = policyNeedsRead(call.accountId, creditStarted);
  const [policy, hold] = await Promise.all([
    // Answered from the isolate's cache; an entry just expired is re-read in the background.
    loggingPolicy(env, call.accountId, (work) => ctx.waitUntil(work)),
    // From the isolate's credit lease when it covers the worst case (no round trip); renewed in the background.
    // A key with a monthly spend limit reserves from its allowance in the lease too (402 once it is spent).
    reserveCredit(
      env,
      call.accountId,
      costMicros(model, { inputTokens: estimatedInput, outputTokens: outputCap }),
      (work) => ctx.waitUntil(work),
      call.keyId && call.spendLimitMicros != null
        ? { keyId: call.keyId, limit: call.spendLimitMicros }
        : undefined,
    ),
  ]);
  // Stages for the bench (Server-Timing, ms; workerd's clock only moves at I/O, so pure CPU reads 0).
  const authedAt = call.authedAt ?? call.startedAt;
  const stages = {
    auth: authedAt - call.startedAt,
    body: creditStarted - authedAt,
    authFrom: call.keyLookedUp ? "d1" : "cache",
    credit: Date.now() - creditStarted,
    reservedIn: hold?.leaseId ? "lease" : "object",
    policyFrom: policyRead ? "d1" : "cache",
  };
  const request: MeteredRequest = {
    id: call.requestId ?? crypto.randomUUID(),
    accountId: call.accountId,
    keyId: call.keyId,
    source: call.source,
    endpoint: call.endpoint,
    streamed: stream,
    startedAt: call.startedAt,
    hold,
    policy,
    requestText: policy.enabled ? JSON.stringify(call.body) : undefined,
    estimatedInput,
  };
  const requested = model.id;

  const deadline = new Deadline(config.ai.timeoutMs);
  let upstreamMs = 0;
  for (let i = 0; i < chain.length; i++) {
    const candidate = chain[i]!;
    const provider = providers[candidate.provider];
    const translation = translationFor(call.clientDialect, provider, call.operation);
    const operation = translation.upstreamOperation ?? call.operation;
    const callStarted = Date.now();
    const result = await callUpstream(config, provider, operation, upstreamBodies[i]!, deadline);
    upstreamMs += Date.now() - callStarted;
    if (!result.ok) {
      if (isRetryable(result.error) && i < chain.length - 1 && !deadline.expired) continue;
      deadline.disarm();
      meter(env, ctx, request, { status: result.error.status, model: undefined, requested });
      throw result.error;
    }
    const tctx = translationContext(candidate);
    const headers = new Headers({ "x-request-id": request.id, "x-model": candidate.id });
    if (stream) {
      deadline.disarm();
      let finished!: () => void;
      ctx.waitUntil(new Promise<void>((resolve) => (finished = resolve)));
      const translator = translation.stream(tctx);
      const body = relay(result.response.body!, translator, {
        idleMs: config.ai.timeoutMs,
        capture: policy.enabled,
        onEnd: (outcome, captured) => {
          meter(env, ctx, request, {
            status: outcome === "complete" ? 200 : outcome === "aborted" ? 499 : 502,
            model: candidate,
            requested,
            usage: translator.usage(),
            deliveredChars: translator.deliveredChars(),
            responseText: captured,
          });
          releaseStream?.();
          finished();
        },
      });
      headers.set("content-type", "text/event-stream; charset=utf-8");
      headers.set("cache-control", "no-cache");
      headers.set("x-gateway-overhead-ms", overhead(call.startedAt, upstreamMs));
      headers.set("server-timing", serverTiming(stages, upstreamMs));
      return new Response(body, { status: 200, headers });
    }
    let upstreamJson: Record<string, unknown>;
    let upstreamText: string;
    const bodyStarted = Date.now();
    try {
      upstreamText = await result.response.text();
      upstreamJson = JSON.parse(upstreamText);
    } catch {
      const error = deadline.expired
        ? upstreamTimeout()
        : new AppError(502, "The provider sent an unreadable answer.", {
            code: "upstream_error",
            type: "api_error",
          });
      meter(env, ctx, request, { status: error.status, model: undefined, requested });
      throw error;
    } finally {
      deadline.disarm();
    }
    upstreamMs += Date.now() - bodyStarted;
    const { body, usage } = translation.response(upstreamJson, tctx);
    // A pass-through answer goes out exactly as the provider wrote it, without re-serialising.
    const text = body === upstreamJson ? upstreamText : JSON.stringify(body);
    const metered = meter(env, ctx, request, {
      status: 200,
      model: candidate,
      requested,
      usage,
      // Only an answer without usage needs its characters counted (for the estimate).
      deliveredChars: usage
        ? 0
        : textLength(
            (upstreamJson as { choices?: unknown; content?: unknown }).choices ??
              upstreamJson.content ??
              upstreamJson.output,
          ),
      responseText: policy.enabled ? text : undefined,
    });
    call.onMetered?.({ ...metered.usage, costMicros: metered.costMicros });
    headers.set("content-type", "application/json");
    headers.set("x-gateway-overhead-ms", overhead(call.startedAt, upstreamMs));
    headers.set("server-timing", serverTiming(stages, upstreamMs));
    return new Response(text, { status: 200, headers });
  }
  throw new Error("unreachable: the candidate chain is never empty");
}

/** Each stage's time and, for those that may await a round trip, where it was answered (cache/lease or not). */
function serverTiming(
  stages: {
    auth: number;
    authFrom: string;
    body: number;
    credit: number;
    reservedIn: string;
    policyFrom: string;
  },
  upstreamMs: number,
): string {
  return `auth;dur=${stages.auth};desc=${stages.authFrom}, body;dur=${stages.body}, credit;dur=${stages.credit};desc=${stages.reservedIn}, policy;desc=${stages.policyFrom}, upstream;dur=${upstreamMs}`;
}

/** Time spent in the gateway itself (everything except waiting for the provider), in milliseconds. */
function overhead(startedAt: number, upstreamMs: number): string {
  return String(Math.max(0, Date.now() - startedAt - upstreamMs));
}
