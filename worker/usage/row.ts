// The usage row as it travels from the proxy to the buffer and on to D1 (plain JSON, no content).
import type { usageEvents } from "../../db/schema";

export type UsageRow = Omit<typeof usageEvents.$inferInsert, "createdAt"> & {
  id: string;
  /** Epoch milliseconds (JSON-safe across the Durable Object RPC boundary). */
  createdAt: number;
};
