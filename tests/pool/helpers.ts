// Test helpers: call the Worker like a client would, through its real fetch handler.
import { exports } from "cloudflare:workers";

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

/**
 * A new account with a live session cookie. A `clientAddress` of its own keeps a file that creates many
 * accounts under the per-address signup throttle.
 */
export async function newUser(
  email = uniqueEmail(),
  clientAddress?: string,
): Promise<{ email: string; cookie: string; id: string }> {
  const headers: Record<string, string> = clientAddress ? { "cf-connecting-ip": clientAddress } : {};
  const res = await call("/api/auth/signup", { body: { email, password: PASSWORD }, headers });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const { account } = (await res.json()) as { account: { id: string } };
  return { email, cookie: cookieFrom(res), id: account.id };
}

/** A new account with an API key. */
export async function newKeyUser(clientAddress?: string): Promise<{
  email: string;
  cookie: string;
  id: string;
  key: string;
  keyId: string;
}> {
  const user = await newUser(uniqueEmail(), clientAddress);
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
