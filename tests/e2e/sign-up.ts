// E2E helpers: an account made over the API (its session cookie and id back) and its address proved as its
// holder proves it, by the link the dev mailbox holds.
import { expect } from "vitest";

export const PASSWORD = "a long enough password";

type SignedUp = {
  accountId: string;
  /** For a browser context's addCookies. */
  cookie: { name: string; value: string };
  /** For a Cookie header. */
  cookieHeader: string;
};

export async function signUp(origin: string, email: string): Promise<SignedUp> {
  const res = await fetch(`${origin}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  const { account } = (await res.json()) as { account: { id: string } };
  const cookieHeader = res.headers.get("set-cookie")!.split(";")[0]!;
  const [name, value] = cookieHeader.split("=") as [string, string];
  return { accountId: account.id, cookie: { name, value }, cookieHeader };
}

/**
 * Posts the verification link from the dev mailbox — with the session that signed up (`cookieHeader`), as the
 * holder does in the browser that signed up; elsewhere the first proof would end that session (ADR 009).
 */
export async function proveAddress(origin: string, email: string, cookieHeader?: string): Promise<void> {
  const mail = (await (
    await fetch(`${origin}/dev/mailbox?format=json&to=${encodeURIComponent(email)}`)
  ).json()) as { data: { kind: string; text: string }[] };
  const token = mail.data
    .find((m) => m.kind === "email_verification")!
    .text.match(/token=([A-Za-z0-9_-]+)/)![1];
  const verified = await fetch(`${origin}/api/privacy/links`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin,
      ...(cookieHeader ? { cookie: cookieHeader } : {}),
    },
    body: JSON.stringify({ token }),
  });
  expect(verified.status).toBe(200);
}
