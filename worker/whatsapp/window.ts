// The 24-hour customer-service window: free-form replies only within 24 h of the customer's last message.
import { and, eq, max } from "drizzle-orm";
import { whatsappMessages } from "../../db/schema";
import type { Db } from "../env";
import { HOUR_MS } from "../time";

export const WINDOW_MS = 24 * HOUR_MS;
/** Message metadata (ids, times, statuses, hashes) is kept this long, then deleted by the cron. */
export const METADATA_RETENTION_DAYS = 30;

/**
 * When the window between this business number and this contact closes (their latest inbound message to it
 * + 24 h), or null if none is known. Meta keeps one window per business number and customer.
 */
export async function windowClosesAt(
  db: Db,
  accountId: string,
  phoneNumberId: string,
  contactHash: string,
): Promise<number | null> {
  const [row] = await db
    .select({ last: max(whatsappMessages.sentAt) })
    .from(whatsappMessages)
    .where(
      and(
        eq(whatsappMessages.accountId, accountId),
        eq(whatsappMessages.phoneNumberId, phoneNumberId),
        eq(whatsappMessages.contactHash, contactHash),
        eq(whatsappMessages.direction, "in"),
      ),
    );
  return row?.last ? row.last.getTime() + WINDOW_MS : null;
}
