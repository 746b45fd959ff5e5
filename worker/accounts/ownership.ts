// Ownership of an account is proven by its mailbox (a verification link used, a password reset, an email
// change confirmed, an email change undone). Each proof rotates the security stamp (every pending link but the
// way back from an email change dies), retires pending links, ends the other sessions and every login still
// waiting for its second factor. The FIRST proof also
// discards what an unproven holder set up — someone may have signed up with another's address and waited for
// the owner to recover it: keys, WhatsApp, privacy settings (back to the defaults, recorded as a reset), and
// second factors (a squatter's authenticator would lock the owner out, or re-authenticate the squatter).
import { and, eq, isNull } from "drizzle-orm";
import { accounts, linkPurposes } from "../../db/schema";
import { forgetLoggingPolicy } from "../content/policy";
import { getDb } from "../db";
import type { Db } from "../env";
import { revokeAllKeys } from "../keys/service";
import { retireLinks } from "../privacy/rights-requests/links";
import { resetPrivacySettings } from "../settings/store";
import { deleteAllConnections } from "../whatsapp/connection";
import { endPendingLogins } from "./second-factor/challenges";
import { discardSecondFactors } from "./second-factor/factors";
import { rotateStamp } from "./security-stamp";
import { endOtherSessions } from "./sessions";

/** Every purpose but the way back from an email change, which must outlive what it undoes. */
const PENDING_LINKS = linkPurposes.filter((p) => p !== "email_revert");

/** Marks the current address verified; true when it was not before (the account's first proof). */
export async function markFirstProof(db: Db, accountId: string): Promise<boolean> {
  const [row] = await db
    .update(accounts)
    .set({ emailVerifiedAt: new Date() })
    .where(and(eq(accounts.id, accountId), isNull(accounts.emailVerifiedAt), eq(accounts.status, "active")))
    .returning({ id: accounts.id });
  return Boolean(row);
}

/** What an unproven holder set up to spend the account's credit or read its content goes with them. */
async function discardUnprovenSetup(db: Db, accountId: string): Promise<void> {
  await revokeAllKeys(db, accountId);
  await deleteAllConnections(db, accountId);
  await resetPrivacySettings(db, accountId);
  forgetLoggingPolicy(accountId);
  await discardSecondFactors(db, accountId);
}

/**
 * After a change of who holds the account: the stamp moves on, pending links, other sessions and half-finished
 * logins end
 * (`keepSession` is the browser that proved it, if any). With `firstProof`, the unproven setup goes too.
 */
export async function holderChanged(
  env: Env,
  accountId: string,
  options: { keepSession: string | undefined; firstProof: boolean },
): Promise<void> {
  const db = getDb(env.DB);
  await rotateStamp(db, accountId);
  await retireLinks(env, accountId, PENDING_LINKS);
  await endOtherSessions(db, accountId, options.keepSession);
  await endPendingLogins(db, accountId);
  if (options.firstProof) await discardUnprovenSetup(db, accountId);
}
