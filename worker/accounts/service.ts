// Sign-up, log-in and profile edits; the API routes and the dashboard actions both call these.
import { and, eq, ne } from "drizzle-orm";
import { accounts } from "../../db/schema";
import type { Db } from "../env";
import { conflict, notFound, unauthorized } from "../errors";
import { clientAddress, throttle } from "../security/rate-limit";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./passwords";
import { createSession } from "./sessions";

/** Emails compare case-insensitively and without surrounding space or Unicode variants. */
export function normalizeEmail(email: string): string {
  return email.normalize("NFKC").trim().toLowerCase();
}

export type AccountView = { id: string; email: string; name: string | null; createdAt: string };

function view(row: typeof accounts.$inferSelect): AccountView {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.createdAt.toISOString() };
}

async function emailTaken(db: Db, email: string, exceptId?: string): Promise<boolean> {
  const where = exceptId
    ? and(eq(accounts.email, email), ne(accounts.id, exceptId))
    : eq(accounts.email, email);
  const [row] = await db.select({ id: accounts.id }).from(accounts).where(where).limit(1);
  return Boolean(row);
}

export async function signUp(
  db: Db,
  input: { email: string; password: string; name?: string },
  headers: Headers,
): Promise<{ account: AccountView; token: string; expiresAt: Date }> {
  await throttle(db, `signup:ip:${clientAddress(headers)}`, 20, 3600);
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
  const session = await createSession(db, id);
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  return { account: view(row!), ...session };
}

/** Checks a password for an account (re-authentication before sensitive actions). */
export async function checkPassword(db: Db, accountId: string, password: string): Promise<boolean> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (!row) return false;
  return verifyPassword(password, {
    hash: row.passwordHash,
    salt: row.passwordSalt,
    iterations: row.passwordIterations,
  });
}

export async function logIn(
  db: Db,
  input: { email: string; password: string },
  headers: Headers,
): Promise<{ account: AccountView; token: string; expiresAt: Date }> {
  const email = normalizeEmail(input.email);
  await throttle(db, `login:ip:${clientAddress(headers)}`, 30, 60);
  await throttle(db, `login:email:${email}`, 10, 900);
  const [row] = await db.select().from(accounts).where(eq(accounts.email, email)).limit(1);
  const stored = row
    ? { hash: row.passwordHash, salt: row.passwordSalt, iterations: row.passwordIterations }
    : DUMMY_HASH;
  const ok = await verifyPassword(input.password, stored);
  if (!row || !ok || row.status !== "active") throw unauthorized("Incorrect email or password.");
  const session = await createSession(db, row.id);
  return { account: view(row), ...session };
}

export async function getAccount(db: Db, accountId: string): Promise<AccountView> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (!row) throw notFound("Account");
  return view(row);
}

export async function updateAccount(
  db: Db,
  accountId: string,
  patch: { email?: string; name?: string | null },
): Promise<AccountView> {
  const changes: Partial<typeof accounts.$inferInsert> = { updatedAt: new Date() };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.email !== undefined) {
    const email = normalizeEmail(patch.email);
    if (await emailTaken(db, email, accountId)) {
      throw conflict("An account with this email already exists.", "email_taken");
    }
    changes.email = email;
  }
  await db.update(accounts).set(changes).where(eq(accounts.id, accountId));
  return getAccount(db, accountId);
}
