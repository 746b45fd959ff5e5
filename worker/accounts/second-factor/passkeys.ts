// Passkeys (WebAuthn) as a second factor, through @simplewebauthn/server (WebCrypto: runs in workerd). The
// relying party is the origin the dashboard is served from; attestation is not asked for (no device registry
// to trust), user verification preferred. Each ceremony's challenge is stored once and taken once.
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { and, desc, eq } from "drizzle-orm";
import { passkeys } from "../../../db/schema";
import { getConfig } from "../../config";
import { fromBase64Url, toBase64Url } from "../../crypto/encoding";
import type { Db, SessionPrincipal } from "../../env";
import { badRequest, conflict, notFound } from "../../errors";
import { endOtherSessions } from "../sessions";
import { sessionChallengeId, setWebAuthnChallenge, takeWebAuthnChallenge } from "./challenges";

/** At most this many passkeys per account. */
const MAX_PASSKEYS = 10;

export type PasskeyView = { id: string; name: string; createdAt: string; lastUsedAt: string | null };

const rpOf = (origin: string) => ({ origin, rpID: new URL(origin).hostname });
const transportsOf = (row: { transports: string | null }) =>
  row.transports ? (JSON.parse(row.transports) as string[]) : undefined;

function view(row: typeof passkeys.$inferSelect): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

export async function listPasskeys(db: Db, accountId: string): Promise<PasskeyView[]> {
  const rows = await db
    .select()
    .from(passkeys)
    .where(eq(passkeys.accountId, accountId))
    .orderBy(desc(passkeys.createdAt));
  return rows.map(view);
}

async function accountPasskeys(db: Db, accountId: string) {
  return db.select().from(passkeys).where(eq(passkeys.accountId, accountId));
}

/** Options for adding a passkey to the signed-in account (sudo is checked by the caller). */
export async function registrationOptions(env: Env, db: Db, session: SessionPrincipal, origin: string) {
  const existing = await accountPasskeys(db, session.accountId);
  if (existing.length >= MAX_PASSKEYS)
    throw conflict(`An account holds at most ${MAX_PASSKEYS} passkeys. Remove one first.`, "passkey_limit");
  const options = await generateRegistrationOptions({
    rpName: getConfig(env).appName,
    rpID: rpOf(origin).rpID,
    userName: session.email,
    userID: new TextEncoder().encode(session.accountId),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  const idHash = sessionChallengeId("passkey_registration", session.sessionHash);
  await setWebAuthnChallenge(
    db,
    { idHash, accountId: session.accountId, purpose: "passkey_registration" },
    options.challenge,
  );
  return options;
}

const refused = () =>
  badRequest("The passkey could not be verified. Start again.", "response", "passkey_not_verified");

/** Verifies the authenticator's answer and stores the passkey. */
export async function registerPasskey(
  db: Db,
  session: SessionPrincipal,
  input: { response: RegistrationResponseJSON; name?: string | undefined },
  origin: string,
): Promise<PasskeyView> {
  const challenge = await takeWebAuthnChallenge(
    db,
    sessionChallengeId("passkey_registration", session.sessionHash),
  );
  if (!challenge) throw refused();
  const { rpID } = rpOf(origin);
  const result = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: false,
  }).catch(() => null);
  if (!result?.verified) throw refused();
  const { credential } = result.registrationInfo;
  const row = {
    id: credential.id,
    accountId: session.accountId,
    publicKey: toBase64Url(credential.publicKey),
    counter: credential.counter,
    transports: credential.transports ? JSON.stringify(credential.transports) : null,
    name: input.name?.trim() || "Passkey",
    createdAt: new Date(),
  };
  const inserted = await db.insert(passkeys).values(row).onConflictDoNothing().returning({ id: passkeys.id });
  if (inserted.length === 0) throw conflict("This passkey is already registered.", "passkey_exists");
  // As with the authenticator app: sessions opened without a factor end once the account has one.
  await endOtherSessions(db, session.accountId, session.sessionHash);
  return view({ ...row, lastUsedAt: null });
}

/** Options for proving a passkey: for a pending login (`idHash` of its row) or a session re-authenticating. */
export async function authenticationOptions(
  db: Db,
  challengeRow: { idHash: string; accountId: string; purpose: "login" | "reauth" },
  origin: string,
) {
  const existing = await accountPasskeys(db, challengeRow.accountId);
  if (existing.length === 0) throw notFound("Passkey");
  const options = await generateAuthenticationOptions({
    rpID: rpOf(origin).rpID,
    allowCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
    userVerification: "preferred",
  });
  await setWebAuthnChallenge(db, challengeRow, options.challenge);
  return options;
}

/** True when the answer is signed by one of the account's passkeys over the row's challenge (taken once). */
export async function verifyPasskey(
  db: Db,
  accountId: string,
  challengeId: string,
  response: AuthenticationResponseJSON,
  origin: string,
): Promise<boolean> {
  const challenge = await takeWebAuthnChallenge(db, challengeId);
  if (!challenge) return false;
  const [stored] = await db
    .select()
    .from(passkeys)
    .where(and(eq(passkeys.accountId, accountId), eq(passkeys.id, response.id)))
    .limit(1);
  if (!stored) return false;
  const { rpID } = rpOf(origin);
  const result = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential: {
      id: stored.id,
      publicKey: fromBase64Url(stored.publicKey),
      counter: stored.counter,
      transports: transportsOf(stored),
    },
    requireUserVerification: false,
  }).catch(() => null);
  if (!result?.verified) return false;
  await db
    .update(passkeys)
    .set({ counter: result.authenticationInfo.newCounter, lastUsedAt: new Date() })
    .where(eq(passkeys.id, stored.id));
  return true;
}

export async function removePasskey(db: Db, accountId: string, id: string): Promise<void> {
  const gone = await db
    .delete(passkeys)
    .where(and(eq(passkeys.accountId, accountId), eq(passkeys.id, id)))
    .returning({ id: passkeys.id });
  if (gone.length === 0) throw notFound("Passkey");
}

export async function dropPasskeys(db: Db, accountId: string): Promise<void> {
  await db.delete(passkeys).where(eq(passkeys.accountId, accountId));
}
