// Metering one AI request: exactly one usage row (never content), then the credit settlement and — only when
// the account turned logging on — the content capture, all after the response (waitUntil).
import type { CreditHold } from "../billing/credits";
import { captureExchange, type LoggingPolicy } from "../content/capture";
import type { AppError } from "../errors";
import { accountRef } from "../observability/account-ref";
import { log } from "../observability/log";
import { writeRequestPoint } from "../observability/metrics/point";
import { withPlatformFee } from "../provider-keys/fee";
import { failureOf } from "../request-log/failure";
import { recordUsage } from "../usage/record";
import type { CatalogueModel } from "./catalogue/model";
import { costMicros } from "./catalogue/prices";
import { estimateTokens } from "./tokens";
import type { Usage } from "./translate/types";

export type Endpoint = "chat.completions" | "messages" | "embeddings" | "responses" | "audio.transcriptions";

export type MeteredRequest = {
  id: string;
  accountId: string;
  keyId: string | null;
  source: string;
  endpoint: Endpoint;
  streamed: boolean;
  startedAt: number;
  hold: CreditHold;
  policy: LoggingPolicy;
  /** The client's request text, kept only when policy.enabled. */
  requestText?: string;
  /** WhatsApp: the contact's keyed hash, for the logged copy's metadata. */
  contactHash?: string;
  /** Input tokens estimated from the request, for when the provider reports none. */
  estimatedInput: number;
  /** When the answer began to reach the client: a stream's first relayed event, a whole answer's send; the
   * metric's time to first byte and the request log's time to first token. */
  firstByteAt?: number;
  /** Told when the request is metered (the access log then writes no metric of its own for it). */
  onMeter?: () => void;
};

export type Outcome = {
  status: number;
  /** The code of a stream that did not complete (`client_closed`), for the metrics; an `error` carries its own. */
  code?: string;
  /** The model that answered (a fallback may differ from the one asked for); undefined if none did. */
  model: CatalogueModel | undefined;
  requested: string;
  usage?: Partial<Usage>;
  /** Generated characters the client received, for an estimate when usage is missing. */
  deliveredChars?: number;
  responseText?: string;
  /** The error we answered with, when the request failed (the log keeps its code and our message). */
  error?: AppError;
  /** Answered with the customer's own provider key: billed this share of the list price (basis points). */
  feeBasisPoints?: number;
};

function tokens(outcome: Outcome, request: MeteredRequest): { usage: Usage; estimated: boolean } {
  // No model answered (refused, failed, timed out before the first byte): nothing was used, nothing is charged.
  if (!outcome.model) return { usage: { inputTokens: 0, outputTokens: 0 }, estimated: false };
  const { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens } = outcome.usage ?? {};
  // Cache reads and writes are parts of the input, each billed at its own price (only ever from the provider).
  const cache = {
    ...(cachedInputTokens ? { cachedInputTokens } : {}),
    ...(cacheWriteTokens ? { cacheWriteTokens } : {}),
  };
  if (inputTokens !== undefined && outputTokens !== undefined) {
    return { usage: { inputTokens, outputTokens, ...cache }, estimated: false };
  }
  return {
    usage: {
      ...cache,
      inputTokens: inputTokens ?? request.estimatedInput,
      outputTokens: outputTokens ?? estimateTokens(outcome.deliveredChars ?? 0),
    },
    estimated: true,
  };
}

/** Writes the request's usage row and settles its credit, off the response path. Returns the row's cost. */
export function meter(env: Env, ctx: ExecutionContext, request: MeteredRequest, outcome: Outcome) {
  const { usage, estimated } = tokens(outcome, request);
  const list = outcome.model ? costMicros(outcome.model, usage) : 0;
  const cost = outcome.feeBasisPoints === undefined ? list : withPlatformFee(list, outcome.feeBasisPoints);
  const row = {
    id: request.id,
    accountId: request.accountId,
    keyId: request.keyId,
    source: request.source,
    endpoint: request.endpoint,
    model: outcome.model?.id ?? outcome.requested,
    requestedModel: outcome.model && outcome.model.id !== outcome.requested ? outcome.requested : null,
    provider: outcome.model?.provider ?? "none",
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedInputTokens: usage.cachedInputTokens ?? 0,
    cacheWriteTokens: usage.cacheWriteTokens ?? 0,
    costMicros: cost,
    latencyMs: Date.now() - request.startedAt,
    firstTokenMs: request.firstByteAt === undefined ? null : request.firstByteAt - request.startedAt,
    status: outcome.status,
    streamed: request.streamed,
    estimated,
    createdAt: Date.now(),
    ...(outcome.error ? failureOf(outcome.error) : {}),
  };
  request.onMeter?.();
  ctx.waitUntil(settle(env, request, row, outcome));
  return { usage, costMicros: cost, estimated };
}

async function settle(
  env: Env,
  request: MeteredRequest,
  row: Parameters<typeof recordUsage>[1],
  outcome: Outcome,
): Promise<void> {
  let metered = true;
  try {
    await recordUsage(env, row, request.hold);
  } catch (error) {
    metered = false;
    log.error("usage record failed", { error });
  }
  await pointFor(env, request, row, outcome, metered);
  if (request.policy.enabled && request.requestText !== undefined && outcome.responseText !== undefined) {
    try {
      await captureExchange(env, {
        accountId: request.accountId,
        requestId: request.id,
        source: request.source === "api" ? request.endpoint : request.source,
        model: row.model,
        request: request.requestText,
        response: outcome.responseText,
        createdAt: new Date(request.startedAt),
        contactHash: request.contactHash,
      });
    } catch (error) {
      log.error("content capture failed", { error });
    }
  }
}

/** The request's metrics point, once its row reached the account's object (or was given up on). */
async function pointFor(
  env: Env,
  request: MeteredRequest,
  row: Parameters<typeof recordUsage>[1],
  outcome: Outcome,
  metered: boolean,
): Promise<void> {
  try {
    writeRequestPoint(env, {
      at: request.startedAt,
      requestId: request.id,
      accountRef: await accountRef(env, request.accountId),
      keyId: request.keyId ?? "",
      model: row.model,
      provider: row.provider,
      endpoint: row.endpoint,
      status: row.status,
      code: outcome.code ?? outcome.error?.options.code ?? (row.status >= 400 ? "upstream_error" : ""),
      fallback: row.requestedModel !== null,
      metered,
      latencyMs: row.latencyMs,
      firstByteMs: (request.firstByteAt ?? row.createdAt) - request.startedAt,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      costMicros: row.costMicros,
      meteringLagMs: metered ? Date.now() - row.createdAt : 0,
    });
  } catch (error) {
    log.warn("metrics point failed", { error });
  }
}
