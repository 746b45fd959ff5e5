// How a privacy request looks to its owner and to operators (API and dashboard alike).
import type { privacyRequests } from "../../../db/schema";

type Row = typeof privacyRequests.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type RequestView = {
  id: string;
  type: "access" | "deletion";
  channel: "dashboard" | "email";
  status: Row["status"];
  createdAt: string;
  dueAt: string;
  verifiedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  deniedAt: string | null;
  canceledAt: string | null;
  executeAfter: string | null;
  progress: string | null;
  denialReason: string | null;
  exportReady: boolean;
  exportExpiresAt: string | null;
  receipt: unknown;
};

export function requestView(row: Row, now = new Date()): RequestView {
  return {
    id: row.id,
    type: row.type,
    channel: row.channel,
    status: row.status,
    createdAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    verifiedAt: iso(row.verifiedAt),
    startedAt: iso(row.startedAt),
    completedAt: iso(row.completedAt),
    deniedAt: iso(row.deniedAt),
    canceledAt: iso(row.canceledAt),
    executeAfter: iso(row.executeAfter),
    progress: row.progress,
    denialReason: row.denialReason,
    exportReady: Boolean(row.exportManifest && row.exportExpiresAt && row.exportExpiresAt > now),
    exportExpiresAt: iso(row.exportExpiresAt),
    receipt: row.receipt ? JSON.parse(row.receipt) : null,
  };
}

export const OPEN_STATUSES = ["received", "verifying", "in_progress"] as const;
