// One Analytics Engine data point per API request (ADR 091): who (the account's pseudonymous reference and the
// key's row id), what (model, provider, endpoint, status, error code, fallback) and how long (latency, first
// byte, metering lag), tokens and cost — never content, an email, a key or a query. Written fire-and-forget
// (writeDataPoint returns at once; the runtime sends it), after the response: from the metering of a request
// once its row reached the account's object, or from the access log for a request refused before metering.
import { getConfig } from "../../config";
import { keepLocally } from "./local-store";

export type RequestPoint = {
  /** Epoch ms when the request arrived. */
  at: number;
  requestId: string;
  accountRef: string;
  /** The key's row id; "" for the platform's own calls (WhatsApp) and the playground. */
  keyId: string;
  /** The model that answered, or the one asked for when none did; "" when the request never named one. */
  model: string;
  /** "none" when no provider answered. */
  provider: string;
  endpoint: string;
  status: number;
  /** The error code of a refused or failed request (`rate_limit_exceeded`); "" when it succeeded. */
  code: string;
  /** A fallback model answered instead of the one asked for. */
  fallback: boolean;
  /** The request was metered: its row reached the account's object, so meteringLagMs is measured. */
  metered: boolean;
  latencyMs: number;
  /** Arrival → the response's headers left (a stream's first byte; a whole answer's only one). */
  firstByteMs: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  /** The response's end → its usage row acknowledged by the account's object; 0 when not metered. */
  meteringLagMs: number;
};

/**
 * The dataset's columns, written once here and read by the SQL in query.ts: index1 samples per account (so
 * Analytics Engine's sampling keeps whole accounts), blobs are labels, doubles are numbers.
 */
export const COLUMNS = {
  accountRef: "blob1",
  keyId: "blob2",
  model: "blob3",
  provider: "blob4",
  endpoint: "blob5",
  code: "blob6",
  fallback: "blob7",
  metered: "blob8",
  requestId: "blob9",
  status: "double1",
  latencyMs: "double2",
  firstByteMs: "double3",
  inputTokens: "double4",
  outputTokens: "double5",
  costMicros: "double6",
  meteringLagMs: "double7",
} as const;

/** Writes the point; never throws (a metric must not fail the request it describes). */
export function writeRequestPoint(env: Env, point: RequestPoint): void {
  try {
    env.METRICS.writeDataPoint({
      indexes: [point.accountRef],
      blobs: [
        point.accountRef,
        point.keyId,
        point.model,
        point.provider,
        point.endpoint,
        point.code,
        point.fallback ? "1" : "0",
        point.metered ? "1" : "0",
        point.requestId,
      ],
      doubles: [
        point.status,
        point.latencyMs,
        point.firstByteMs,
        point.inputTokens,
        point.outputTokens,
        point.costMicros,
        point.meteringLagMs,
      ],
    });
    // Miniflare's dataset drops every point: in local mode the stand-in keeps them for /admin/metrics.
    if (getConfig(env).localMode) keepLocally(point);
  } catch {
    // Analytics is best effort by design; the request log and the access log still have the request.
  }
}
