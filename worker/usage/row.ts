// The usage row as it travels from the proxy to the buffer and on to D1 (plain JSON, no content).
import type { usageEvents } from "../../db/schema";

export type UsageRow = Omit<typeof usageEvents.$inferInsert, "createdAt"> & {
  id: string;
  /** Epoch milliseconds (JSON-safe across the Durable Object RPC boundary). */
  createdAt: number;
  /** A failed request's error code and message as we answered them (request-log/failure.ts). */
  errorCode?: string | null;
  errorMessage?: string | null;
  /** Time to first token, ms: until the answer began to reach the client (request-log/speed.ts); null when none did. */
  firstTokenMs?: number | null;
};

/** A usage row on its way to the account's object, with what settles its credit. */
export type MeteredRow = UsageRow & {
  /** The per-request reservation to release (fallback path), or null. */
  holdId: string | null;
  /** The isolate lease the request reserved against, or null. */
  leaseId: string | null;
  /** It also reserved from its key's allowance in that lease (the key has a monthly spend limit). */
  keyLeased?: boolean;
};
