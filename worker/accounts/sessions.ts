// Browser sessions: an opaque random id in a cookie, only its SHA-256 in D1, idle and absolute expiry
// (decided in session-timing.ts).
import { and, eq, gt, ne } from "drizzle-orm";
import { accounts, sessions } from "../../db/schema";
import { randomToken, sha256Hex } from "../crypto/encoding";
import type { Db, SessionPrincipal } from "../env";
import { sessionExpiresAt, sessionFreshness } from "./session-timing";

/** `__Host-` and Secure need https; plain-http loopback (local dev) gets a plain name. */
function sessionCookieName(url: string): string {
  return new URL(url).protocol === "https:" ? "__Host-sid" : "sid";
}

export function readSessionCookie(url: string, cookieHeader: string | null): string | undefined {
  if (!cookieHeader) return undefined;
  const name = sessionCookieName(url);
  for (const part of cookieHeader.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

export async function createSession(db: Db, accountId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken(32);
  const now = Date.now();
  const expiresAt = sessionExpiresAt(now);
  await db.insert(sessions).values({
    idHash: await sha256Hex(token),
    accountId,
    createdAt: new Date(now),
    lastSeenAt: new Date(now),
    expiresAt,
  });
  return { token, expiresAt };
}

/** The live session for a cookie value, or undefined when unknown, idle too long, expired or tombstoned. */
export async function lookupSession(db: Db, token: string): Promise<SessionPrincipal | undefined> {
  const idHash = await sha256Hex(token);
  const now = Date.now();
  const [row] = await db
    .select({
      accountId: sessions.accountId,
      email: accounts.email,
      lastSeenAt: sessions.lastSeenAt,
      reauthAt: sessions.reauthAt,
      status: accounts.status,
      emailVerifiedAt: accounts.emailVerifiedAt,
    })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, new Date(now))))
    .limit(1);
  if (row?.status !== "active") return undefined;
  const freshness = sessionFreshness(row.lastSeenAt, now);
  if (freshness === "idle") {
    await db.delete(sessions).where(eq(sessions.idHash, idHash));
    return undefined;
  }
  if (freshness === "touch") {
    await db
      .update(sessions)
      .set({ lastSeenAt: new Date(now) })
      .where(eq(sessions.idHash, idHash));
  }
  return {
    accountId: row.accountId,
    email: row.email,
    emailVerified: row.emailVerifiedAt !== null,
    sessionHash: idHash,
    reauthAt: row.reauthAt,
  };
}

export async function destroySession(db: Db, sessionHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, sessionHash));
}

/** Ends the session a request's cookie names, if any (logout, and before a login replaces it). */
export async function endRequestSession(db: Db, request: Request): Promise<void> {
  const token = readSessionCookie(request.url, request.headers.get("cookie"));
  if (token) await destroySession(db, await sha256Hex(token));
}

/** Ends every session of the account but `keep` (password change, confirmed email change, "log out elsewhere"). */
export async function endOtherSessions(db: Db, accountId: string, keep: string | undefined): Promise<void> {
  await db
    .delete(sessions)
    .where(
      keep
        ? and(eq(sessions.accountId, accountId), ne(sessions.idHash, keep))
        : eq(sessions.accountId, accountId),
    );
}

/** Records a re-entry of the password on this session: sudo mode for the next few minutes. */
export async function recordReauth(db: Db, sessionHash: string, at = new Date()): Promise<void> {
  await db.update(sessions).set({ reauthAt: at }).where(eq(sessions.idHash, sessionHash));
}

/** The Set-Cookie value for a session; the API and the dashboard both use it. */
export function sessionSetCookie(url: string, token: string, expiresAt: Date): string {
  const secure = new URL(url).protocol === "https:";
  const parts = [
    `${sessionCookieName(url)}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function sessionClearCookie(url: string): string {
  return sessionSetCookie(url, "", new Date(0));
}
