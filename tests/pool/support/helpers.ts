// Test helpers: call the Worker like a client would, through its real fetch handler.
import { exports } from "cloudflare:workers";
import { Secret, TOTP } from "otpauth";

export const ORIGIN = "http://localhost";

type CallInit = {
  method?: string;
  body?: unknown;
  rawBody?: BodyInit;
  cookie?: string;
  key?: string;
  headers?: Record<string, string>;
  /** Defaults to our own origin when a cookie is sent (as a browser would). */
  origin?: string | null;
};

export function call(path: string, init: CallInit = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers["content-type"] ??= "application/json";
  if (init.cookie) headers.cookie = init.cookie;
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  const origin = init.origin === undefined ? (init.cookie ? ORIGIN : null) : init.origin;
  if (origin) headers.origin = origin;
  return exports.default.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? "POST" : "GET"),
      headers,
      body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    }),
  );
}

export function cookieFrom(res: Response): string {
  const header = res.headers.get("set-cookie");
  if (!header) throw new Error("no Set-Cookie");
  return header.split(";")[0]!;
}

let counter = 0;
export function uniqueEmail(tag = "user"): string {
  counter += 1;
  return `${tag}-${Date.now()}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export const PASSWORD = "correct horse battery";

/** A random client address in the benchmarking range 198.18.0.0/15 (never a real client). */
export function testAddress(): string {
  const [a, b] = crypto.getRandomValues(new Uint8Array(2));
  return `198.${18 + (a! % 2)}.${a}.${b}`;
}

/** A new account with a live session cookie. */
export async function newUser(email = uniqueEmail()): Promise<{ email: string; cookie: string; id: string }> {
  // Each test user signs up from its own client address, as real users do (the signup throttle is per address).
  const res = await call("/api/auth/signup", {
    body: { email, password: PASSWORD },
    headers: { "cf-connecting-ip": testAddress() },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const { account } = (await res.json()) as { account: { id: string } };
  return { email, cookie: cookieFrom(res), id: account.id };
}

/** A new account with an API key. */
export async function newKeyUser(): Promise<{
  email: string;
  cookie: string;
  id: string;
  key: string;
  keyId: string;
}> {
  const user = await newUser();
  const res = await call("/api/keys", { body: { name: "test" }, cookie: user.cookie });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status}`);
  const { key, id } = (await res.json()) as { key: string; id: string };
  return { ...user, key, keyId: id };
}

export type ErrorShape = {
  error: { message: string; type: string; code: string | null; param: string | null };
};

/** Asserts the one error shape and returns it. */
export async function expectError(res: Response, status: number): Promise<ErrorShape["error"]> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  const body = JSON.parse(text) as ErrorShape;
  const e = body.error;
  if (typeof e?.message !== "string" || typeof e.type !== "string" || !("code" in e) || !("param" in e)) {
    throw new Error(`not the error shape: ${text}`);
  }
  if (Object.keys(body).length !== 1 || Object.keys(e).length !== 4) throw new Error(`extra fields: ${text}`);
  return e;
}

/** The token of the newest notice of `kind` sent to `to`, read from the dev mailbox. */
export async function mailboxLink(to: string, kind: string): Promise<string> {
  const res = await call(`/dev/mailbox?format=json&to=${encodeURIComponent(to)}`);
  const { data } = (await res.json()) as { data: { kind: string; text: string }[] };
  const message = data.find((m) => m.kind === kind);
  if (!message) throw new Error(`no ${kind} notice for ${to}`);
  return /token=([A-Za-z0-9_-]+)/.exec(message.text)![1]!;
}

/**
 * Verifies an account's email the way its holder does: the link mailed at signup, posted once from the
 * browser holding the account's session (`cookie`), which keeps it and what it set up. Without the cookie the
 * proof comes from elsewhere: every session ends and the setup is discarded (ADR 009).
 */
export async function verifyEmail(email: string, cookie?: string): Promise<void> {
  const token = await mailboxLink(email, "email_verification");
  const res = await call("/api/privacy/links", { body: { token }, ...(cookie ? { cookie } : {}) });
  if (res.status !== 200) throw new Error(`verification failed: ${res.status} ${await res.text()}`);
}

/** A new account whose email is verified. */
export async function newVerifiedUser(email = uniqueEmail()) {
  const user = await newUser(email);
  await verifyEmail(user.email, user.cookie);
  return user;
}

export const OPERATOR_EMAIL = "operator@example.com";

/** The code an authenticator app shows for `secret` at `timestamp` (steps of 30 s). */
export function totpCode(secret: string, timestamp = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 }).generate({
    timestamp,
  });
}

/** Sets up an authenticator app on a session's account (password as the sudo proof): its secret and recovery codes. */
export async function enrolTotp(cookie: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await call("/api/auth/2fa/totp", { body: { password: PASSWORD }, cookie });
  if (started.status !== 200) throw new Error(`totp start failed: ${started.status} ${await started.text()}`);
  const { secret } = (await started.json()) as { secret: string };
  const confirmed = await call("/api/auth/2fa/totp/confirm", { body: { code: totpCode(secret) }, cookie });
  if (confirmed.status !== 200)
    throw new Error(`totp confirm failed: ${confirmed.status} ${await confirmed.text()}`);
  const { recoveryCodes } = (await confirmed.json()) as { recoveryCodes: string[] };
  return { secret, recoveryCodes };
}

/** The operator's second factor (REQUIRE_2FA_FOR_OPERATORS is on, as committed), set up at first sign-up. */
let operatorFactor: { secret: string; recoveryCodes: string[] } | undefined;

/**
 * A session of the operator (ADMIN_EMAILS in vitest.config.ts), signed up, verified and given an authenticator
 * app on first use; later logins finish with one of its recovery codes (a TOTP code works once per 30 s).
 */
export async function operatorSession(): Promise<{ cookie: string; id: string }> {
  const signup = await call("/api/auth/signup", { body: { email: OPERATOR_EMAIL, password: PASSWORD } });
  if (signup.status === 201) {
    const cookie = cookieFrom(signup);
    await verifyEmail(OPERATOR_EMAIL, cookie);
    operatorFactor = await enrolTotp(cookie);
    const { account } = (await signup.json()) as { account: { id: string } };
    return { cookie, id: account.id };
  }
  await signup.arrayBuffer();
  const login = await call("/api/auth/login", { body: { email: OPERATOR_EMAIL, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`operator login failed: ${login.status}`);
  const answer = (await login.json()) as { account?: { id: string }; mfaRequired?: true };
  if (answer.account) {
    // Signed up (and verified) elsewhere in this file without a second factor: it gets one now.
    const cookie = cookieFrom(login);
    operatorFactor = await enrolTotp(cookie);
    return { cookie, id: answer.account.id };
  }
  const recoveryCode = operatorFactor?.recoveryCodes.pop();
  if (!recoveryCode) throw new Error("the operator has no recovery code left in this test file");
  const finished = await call("/api/auth/login/2fa", { body: { recoveryCode }, cookie: cookieFrom(login) });
  if (finished.status !== 200) throw new Error(`operator second factor failed: ${finished.status}`);
  const { account } = (await finished.json()) as { account: { id: string } };
  return { cookie: cookieFrom(finished), id: account.id };
}
