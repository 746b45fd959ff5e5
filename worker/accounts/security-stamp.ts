// The account's security stamp: a random value that every change of who holds the account rotates (an address
// proven, a password changed or reset, an email changed). A mailed link records the stamp it was issued under
// (privacy_tokens.stamp) and works only while it still matches, so an old link never outlives the event that
// should have killed it — even one a squatter kept from before the owner recovered the account.
import { eq, or, type SQL, sql } from "drizzle-orm";
import { accounts, privacyTokens } from "../../db/schema";
import { randomToken } from "../crypto/encoding";
import type { Db } from "../env";

export async function rotateStamp(db: Db, accountId: string): Promise<void> {
  await db
    .update(accounts)
    .set({ securityStamp: randomToken(16) })
    .where(eq(accounts.id, accountId));
}

/** The account's current stamp, as a subquery for the INSERT of a new link. */
export const stampOf = (accountId: string): SQL<string> =>
  sql`(SELECT ${accounts.securityStamp} FROM ${accounts} WHERE ${accounts.id} = ${accountId})`;

/**
 * The condition that a link row is still bound to its account's stamp. The way back from an email change
 * (email_revert) is exempt: it must outlive the change it undoes, and whatever else the new holder rotates.
 */
export const linkStampCurrent: SQL = or(
  eq(privacyTokens.purpose, "email_revert"),
  sql`${privacyTokens.stamp} = (SELECT ${accounts.securityStamp} FROM ${accounts} WHERE ${accounts.id} = ${privacyTokens.accountId})`,
)!;
