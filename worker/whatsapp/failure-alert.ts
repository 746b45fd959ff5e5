// A failed delivery is told to the business once per streak: the first failure after a delivered reply sets
// the number's `failure_alerted_at` (a conditional update, so concurrent failures mail once) and mails a notice;
// the next delivered reply clears it (recordReply). The notice names the number and the reason code, never
// content or the customer's number.
import { and, eq, isNull } from "drizzle-orm";
import { accounts, whatsappConnections } from "../../db/schema";
import type { Db } from "../env";
import { sendNotice } from "../notices/send";

export async function alertFailure(
  env: Env,
  db: Db,
  input: { accountId: string; phoneNumberId: string; error: string | null; now: number },
): Promise<void> {
  const { accountId, phoneNumberId, now } = input;
  const marked = await db
    .update(whatsappConnections)
    .set({ failureAlertedAt: new Date(now) })
    .where(
      and(
        eq(whatsappConnections.accountId, accountId),
        eq(whatsappConnections.phoneNumberId, phoneNumberId),
        isNull(whatsappConnections.failureAlertedAt),
      ),
    )
    .returning({ at: whatsappConnections.failureAlertedAt });
  if (marked.length === 0) return;
  const [account] = await db
    .select({ email: accounts.email })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account) return;
  await sendNotice(env, {
    to: account.email,
    kind: "whatsapp_delivery_failed",
    accountId,
    key: `whatsapp-delivery-failed:${phoneNumberId}:${now}`,
    subject: "A WhatsApp reply could not be delivered",
    text: [
      `A reply from your WhatsApp number ${phoneNumberId} could not be delivered (${input.error ?? "failed"}).`,
      "Failed deliveries are listed on the WhatsApp page of your dashboard. We tell you once until a reply is delivered again.",
    ].join("\n"),
  });
}
