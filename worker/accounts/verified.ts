// Until the account's address is proven, nothing that moves the account to another address or starts keeping
// or sharing its content may be turned on: email change, content logging, training consent, WhatsApp connect.
import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema";
import type { Db } from "../env";
import { forbidden } from "../errors";

const emailUnverified = () =>
  forbidden(
    "Verify your email address first: use the link we mailed you when you signed up, or send a new one from the dashboard (POST /api/auth/verify-email/resend).",
    "email_unverified",
  );

/** Refuses with 403 email_unverified when the session's address is not proven. */
export function requireVerifiedSession(session: { emailVerified: boolean }): void {
  if (!session.emailVerified) throw emailUnverified();
}

/** The same, read from the account row (for services that take an account id). */
export async function requireVerifiedAccount(db: Db, accountId: string): Promise<void> {
  const [row] = await db
    .select({ at: accounts.emailVerifiedAt })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .limit(1);
  if (!row?.at) throw emailUnverified();
}
