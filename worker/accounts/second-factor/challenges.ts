// What waits for a second factor: a login whose password was right (named by a short-lived cookie of its own,
// never a session), and the WebAuthn challenge a passkey ceremony signs. Five minutes, single use.
import { and, eq, gt } from "drizzle-orm";
import { authChallenges } from "../../../db/schema";
import { randomToken, sha256Hex } from "../../crypto/encoding";
import type { Db } from "../../env";
import { unauthorized } from "../../errors";

export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
type Purpose = (typeof authChallenges.$inferSelect)["purpose"];

/** `__Host-` and Secure need https; plain-http loopback (local dev) gets a plain name, as the session does. */
const cookieName = (url: string) => (new URL(url).protocol === "https:" ? "__Host-mfa" : "mfa");

export function pendingLoginCookie(url: string, token: string, expiresAt: Date): string {
  const parts = [`${cookieName(url)}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax"];
  parts.push(`Expires=${expiresAt.toUTCString()}`);
  if (new URL(url).protocol === "https:") parts.push("Secure");
  return parts.join("; ");
}

export const clearPendingLoginCookie = (url: string) => pendingLoginCookie(url, "", new Date(0));

function readPendingLoginCookie(url: string, cookieHeader: string | null): string | undefined {
  const name = cookieName(url);
  for (const part of (cookieHeader ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name && v.join("=")) return v.join("=");
  }
  return undefined;
}

/** A login waiting for its second factor; the token goes in the pending-login cookie. */
export async function startPendingLogin(
  db: Db,
  accountId: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
  await db
    .insert(authChallenges)
    .values({ idHash: await sha256Hex(token), accountId, purpose: "login", expiresAt });
  return { token, expiresAt };
}

/** The id of the row a signed-in session's ceremony uses (adding a passkey, re-authenticating with one). */
export const sessionChallengeId = (purpose: Purpose, sessionHash: string) => `${purpose}:${sessionHash}`;

/** The live challenge row, or a 401 telling the holder to start again. */
async function liveChallenge(db: Db, idHash: string, purpose: Purpose) {
  const [row] = await db
    .select()
    .from(authChallenges)
    .where(
      and(
        eq(authChallenges.idHash, idHash),
        eq(authChallenges.purpose, purpose),
        gt(authChallenges.expiresAt, new Date()),
      ),
    )
    .limit(1);
  if (!row)
    throw unauthorized(
      purpose === "login" ? "This login has expired. Log in again." : "This step has expired. Start again.",
      "challenge_expired",
    );
  return row;
}

/** The pending login a request's cookie names. */
export async function pendingLogin(db: Db, request: Request) {
  const token = readPendingLoginCookie(request.url, request.headers.get("cookie"));
  if (!token) throw unauthorized("Log in with your password first.", "challenge_expired");
  return liveChallenge(db, await sha256Hex(token), "login");
}

/** Stores the WebAuthn challenge handed out for a row (creating a session's row when needed). */
export async function setWebAuthnChallenge(
  db: Db,
  row: { idHash: string; accountId: string; purpose: Purpose },
  challenge: string,
): Promise<void> {
  const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
  await db
    .insert(authChallenges)
    .values({ ...row, challenge, expiresAt })
    .onConflictDoUpdate({
      target: authChallenges.idHash,
      set: { challenge, ...(row.purpose === "login" ? {} : { expiresAt }) },
    });
}

/** Takes a row's WebAuthn challenge: the ceremony it was for may be answered once (the UPDATE decides). */
export async function takeWebAuthnChallenge(db: Db, idHash: string): Promise<string | null> {
  const [row] = await db
    .select({ challenge: authChallenges.challenge })
    .from(authChallenges)
    .where(and(eq(authChallenges.idHash, idHash), gt(authChallenges.expiresAt, new Date())))
    .limit(1);
  if (!row?.challenge) return null;
  const taken = await db
    .update(authChallenges)
    .set({ challenge: null })
    .where(and(eq(authChallenges.idHash, idHash), eq(authChallenges.challenge, row.challenge)))
    .returning({ idHash: authChallenges.idHash });
  return taken.length === 1 ? row.challenge : null;
}

/**
 * Ends every login of the account still waiting for its second factor: a password changed or reset (or any other
 * change of holder) must not leave a half-login begun with the old password for a code to finish afterwards.
 */
export async function endPendingLogins(db: Db, accountId: string): Promise<void> {
  await db
    .delete(authChallenges)
    .where(and(eq(authChallenges.accountId, accountId), eq(authChallenges.purpose, "login")));
}

export async function endChallenge(db: Db, idHash: string): Promise<void> {
  await db.delete(authChallenges).where(eq(authChallenges.idHash, idHash));
}
