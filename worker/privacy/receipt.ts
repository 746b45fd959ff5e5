// Deletion receipts: what was erased, what was kept under which legal basis until when, signed with
// HMAC-SHA256 under a key derived from MASTER_KEY, so the operator can verify one later.
import { timingSafeEqual } from "../crypto/encoding";
import type { Retained } from "./holders/holder";
import { hmacHex, hmacKey } from "./keys";

export type ReceiptBody = {
  kind: "botmara-deletion-receipt/1";
  requestId: string;
  /** The pseudonym in the audit and the token on kept invoices; neither is the account id. */
  subject: string;
  retainedToken: string;
  requestedAt: string;
  completedAt: string;
  erased: { holder: string; location: string; records: number }[];
  retained: Retained[];
  backups: string;
};

export type Receipt = ReceiptBody & { signature: string };

/** Stable serialisation: sorted keys at every level, so the signature does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export async function signReceipt(env: Env, body: ReceiptBody): Promise<Receipt> {
  const signature = await hmacHex(await hmacKey(env, "deletion-receipt"), canonical(body));
  return { ...body, signature };
}

export async function verifyReceipt(env: Env, receipt: unknown): Promise<boolean> {
  if (!receipt || typeof receipt !== "object") return false;
  const { signature, ...body } = receipt as Record<string, unknown>;
  if (typeof signature !== "string") return false;
  const expected = await hmacHex(await hmacKey(env, "deletion-receipt"), canonical(body));
  return timingSafeEqual(expected, signature);
}
