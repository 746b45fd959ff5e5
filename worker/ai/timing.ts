// When a /v1 request arrived (the overhead header and the usage row's latency count from there), and
// Server-Timing only on request: a client that sends `x-server-timing` (the bench does) gets each stage's time
// and where the steps that may await a round trip were answered; no other request allocates anything for it.
// workerd's clock only moves at I/O, so pure CPU reads 0 ms.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { meterCalls } from "../usage/batcher";

/**
 * The request header that asks for Server-Timing.
 * @internal
 */
export const TIMING_REQUEST_HEADER = "x-server-timing";

export class Timing {
  /** When the key and its rate limit were checked (splits auth from reading and validating the body). */
  authed: number;
  /** The key was read from D1 on this request, not from the isolate's cache. */
  keyFromD1 = false;
  /** When the credit reservation started: the end of reading, validating and translating the body. */
  creditStarted: number;
  creditMs = 0;
  reservedIn: "lease" | "object" = "object";
  /** The account's logging policy was read from D1, not from the isolate's cache. */
  policyFromD1 = false;

  constructor(readonly arrived: number) {
    this.authed = arrived;
    this.creditStarted = arrived;
  }

  /** The Server-Timing header, once the provider has answered. */
  header(upstreamMs: number): string {
    const key = this.keyFromD1 ? "d1" : "cache";
    const policy = this.policyFromD1 ? "d1" : "cache";
    // The isolate's batch calls to account objects so far / the rows they carried (bench/many-accounts.ts).
    const meter = meterCalls();
    return `auth;dur=${this.authed - this.arrived};desc=${key}, body;dur=${this.creditStarted - this.authed}, credit;dur=${this.creditMs};desc=${this.reservedIn}, policy;desc=${policy}, upstream;dur=${upstreamMs}, meter;desc=${meter.calls}/${meter.rows}`;
  }
}

/** Notes the arrival; puts a Timing on the context only when the client asked for Server-Timing. */
export const timing: MiddlewareHandler<AppEnv> = async (c, next) => {
  const now = Date.now();
  c.set("arrivedAt", now);
  if (c.req.raw.headers.has(TIMING_REQUEST_HEADER)) c.set("timing", new Timing(now));
  await next();
};

/** After the key and the rate limit: where auth ends and the body's stage begins. */
export const authed: MiddlewareHandler<AppEnv> = async (c, next) => {
  const t = c.get("timing");
  if (t) t.authed = Date.now();
  await next();
};
