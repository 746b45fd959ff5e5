// Ten single-use recovery codes, issued when a second factor is first set up: 80 random bits each, shown once,
// stored as SHA-256 of (account, code). Using one marks it used in the same statement that checks it.
import { and, eq, isNull } from "drizzle-orm";
import { recoveryCodes } from "../../../db/schema";
import { randomBytes, sha256Hex } from "../../crypto/encoding";
import type { Db } from "../../env";

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i: read aloud or typed from paper

/** "xxxx-xxxx-xxxx-xxxx": 16 characters of a 31-letter alphabet (≈ 79 bits). */
function newCode(): string {
  let letters = "";
  while (letters.length < 16) {
    for (const b of randomBytes(24)) {
      // 248 = 8 × 31: bytes above it are skipped so every letter is equally likely.
      if (b < 248 && letters.length < 16) letters += ALPHABET[b % 31];
    }
  }
  return letters.match(/.{4}/g)!.join("-");
}

/** What a typed code is compared as: lower case, without spaces or dashes. */
const canonical = (code: string) => code.toLowerCase().replace(/[\s-]/g, "");
const hashOf = (accountId: string, code: string) => sha256Hex(`recovery|${accountId}|${canonical(code)}`);

/** Replaces the account's codes with ten new ones; returns them (the only time they are seen). */
export async function issueRecoveryCodes(db: Db, accountId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  const now = new Date();
  const rows = await Promise.all(
    codes.map(async (code) => ({ accountId, codeHash: await hashOf(accountId, code), createdAt: now })),
  );
  await db.batch([
    db.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId)),
    db.insert(recoveryCodes).values(rows),
  ]);
  return codes;
}

/** Spends a code: true once per code, never again (the UPDATE is the check). */
export async function spendRecoveryCode(db: Db, accountId: string, code: string): Promise<boolean> {
  if (canonical(code).length !== 16) return false;
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(recoveryCodes.accountId, accountId),
        eq(recoveryCodes.codeHash, await hashOf(accountId, code)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ accountId: recoveryCodes.accountId });
  return used.length === 1;
}

export async function unusedRecoveryCodes(db: Db, accountId: string): Promise<number> {
  const rows = await db
    .select({ codeHash: recoveryCodes.codeHash })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.accountId, accountId), isNull(recoveryCodes.usedAt)));
  return rows.length;
}

export async function dropRecoveryCodes(db: Db, accountId: string): Promise<void> {
  await db.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId));
}
