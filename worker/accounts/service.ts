// Sign-up, log-in and profile edits; the API routes and the dashboard actions both call these.
import { and, eq, ne } from "drizzle-orm";
import { accounts } from "../../db/schema";
import { getConfig } from "../config";
import { sha256Hex } from "../crypto/encoding";
import { getDb } from "../db";
import type { Db } from "../env";
import { conflict, notFound, unauthorized } from "../errors";
import { clearFailures, forgiveAttempt, refuseWhileDelayed, takeAttempt } from "../security/auth-throttle";
import { clientAddress, throttle } from "../security/rate-limit";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./passwords";
import { startPendingLogin } from "./second-factor/challenges";
import { type SecondFactorMethod, secondFactorMethods } from "./second-factor/factors";
import { createSession, deviceOf } from "./sessions";
import { sendVerification } from "./verification";
import type { AccountView, CredentialsInput, SignUpInput } from "./views";

/** Emails compare case-insensitively and without surrounding space or Unicode variants. */
export function normalizeEmail(email: string): string {
  return email.normalize("NFKC").trim().toLowerCase();
}

function view(row: typeof accounts.$inferSelect): AccountView {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.emailVerifiedAt !== null,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function emailTaken(db: Db, email: string, exceptId?: string): Promise<boolean> {
  const where = exceptId
    ? and(eq(accounts.email, email), ne(accounts.id, exceptId))
    : eq(accounts.email, email);
  const [row] = await db.select({ id: accounts.id }).from(accounts).where(where).limit(1);
  return Boolean(row);
}

/** Creates the account (its email unverified), mails the verification link and starts a session. */
export async function signUp(
  env: Env,
  input: SignUpInput,
  request: Request,
  origin: string,
): Promise<{ account: AccountView; token: string; expiresAt: Date }> {
  const headers = request.headers;
  const db = getDb(env.DB);
  const limit = getConfig(env).authLimits.signupPerAddress;
  await throttle(db, `signup:ip:${clientAddress(headers)}`, limit.limit, limit.windowSeconds);
  const email = normalizeEmail(input.email);
  if (await emailTaken(db, email))
    throw conflict("An account with this email already exists.", "email_taken");
  const pw = await hashPassword(input.password);
  const now = new Date();
  const id = crypto.randomUUID();
  try {
    await db.insert(accounts).values({
      id,
      email,
      name: input.name ?? null,
      passwordHash: pw.hash,
      passwordSalt: pw.salt,
      passwordIterations: pw.iterations,
      createdAt: now,
      updatedAt: now,
    });
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides.
    if (await emailTaken(db, email))
      throw conflict("An account with this email already exists.", "email_taken");
    throw error;
  }
  await sendVerification(env, { accountId: id, email }, origin);
  const session = await createSession(db, id, deviceOf(request));
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  return { account: view(row!), ...session };
}

/** Checks a password for an account, unthrottled; callers throttle (see sudo.ts). */
export async function checkPassword(db: Db, accountId: string, password: string): Promise<boolean> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (!row) return false;
  return verifyPassword(password, {
    hash: row.passwordHash,
    salt: row.passwordSalt,
    iterations: row.passwordIterations,
  });
}

/**
 * The login throttle buckets: one (email, client address) pair and one client address. There is no bucket
 * for an email alone, so failures from an attacker's address never slow the owner down at theirs.
 * The email is hashed: the throttle table holds no address.
 */
async function loginBuckets(email: string, headers: Headers) {
  const address = clientAddress(headers);
  return {
    pair: `login:pair:${await sha256Hex(`${email}|${address}`)}`,
    address: `login:addr:${address}`,
  };
}

/**
 * A right password either starts a session, or — when the account has a second factor — a pending login that
 * only the second factor completes (its token goes in a cookie of its own; no session exists until then).
 */
export type LoginOutcome =
  | { kind: "session"; account: AccountView; token: string; expiresAt: Date }
  | { kind: "second_factor"; methods: SecondFactorMethod[]; token: string; expiresAt: Date };

export async function logIn(env: Env, input: CredentialsInput, request: Request): Promise<LoginOutcome> {
  const headers = request.headers;
  const db = getDb(env.DB);
  const limits = getConfig(env).authLimits;
  const email = normalizeEmail(input.email);
  const buckets = await loginBuckets(email, headers);
  await refuseWhileDelayed(db, [buckets.pair, buckets.address]);
  // Counted before the password is checked: parallel guesses each need a slot of their own.
  await takeAttempt(db, buckets.pair, limits.loginPerEmailAndAddress);
  await takeAttempt(db, buckets.address, limits.loginPerAddress);
  const [row] = await db.select().from(accounts).where(eq(accounts.email, email)).limit(1);
  const stored = row
    ? { hash: row.passwordHash, salt: row.passwordSalt, iterations: row.passwordIterations }
    : DUMMY_HASH;
  const ok = await verifyPassword(input.password, stored);
  if (!row || !ok || row.status !== "active") {
    throw unauthorized("Incorrect email or password.");
  }
  await clearFailures(db, [buckets.pair]);
  await forgiveAttempt(db, buckets.address);
  const methods = await secondFactorMethods(db, row.id);
  if (methods.length > 0) return { kind: "second_factor", methods, ...(await startPendingLogin(db, row.id)) };
  const session = await createSession(db, row.id, deviceOf(request));
  return { kind: "session", account: view(row), ...session };
}

export async function getAccount(db: Db, accountId: string): Promise<AccountView> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (!row) throw notFound("Account");
  return view(row);
}

export async function updateAccount(
  db: Db,
  accountId: string,
  patch: { name?: string | null },
): Promise<AccountView> {
  const changes: Partial<typeof accounts.$inferInsert> = { updatedAt: new Date() };
  if (patch.name !== undefined) changes.name = patch.name;
  await db.update(accounts).set(changes).where(eq(accounts.id, accountId));
  return getAccount(db, accountId);
}

/** Replaces the password hash (change or reset). */
export async function setPassword(db: Db, accountId: string, password: string): Promise<void> {
  const pw = await hashPassword(password);
  await db
    .update(accounts)
    .set({
      passwordHash: pw.hash,
      passwordSalt: pw.salt,
      passwordIterations: pw.iterations,
      updatedAt: new Date(),
    })
    .where(eq(accounts.id, accountId));
}
