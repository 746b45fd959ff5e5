// Verified email, sudo mode, password change and reset, sessions, throttle settings, no-store: the identity
// routes of the README (Management API) and ADR 009 as a client uses them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "#worker/config";
import * as confirmPage from "../../../app/routes/confirm";
import {
  call,
  cookieFrom,
  expectError,
  mailboxLink,
  newUser,
  newVerifiedUser,
  PASSWORD,
  uniqueEmail,
} from "../support/helpers";
import { args, page } from "../support/route-calls";

const NEW_PASSWORD = "a brand new passphrase";
const login = (email: string, password: string) => call("/api/auth/login", { body: { email, password } });
const me = async (cookie: string) =>
  (await (await call("/api/account", { cookie })).json()) as { email: string; emailVerified: boolean };
const inbox = async (to: string) =>
  (
    (await (await call(`/dev/mailbox?format=json&to=${encodeURIComponent(to)}`)).json()) as {
      data: { kind: string; text: string }[];
    }
  ).data;

describe("verified email", () => {
  it("signup mails a single-use verification link; the address counts as verified only once it is used", async () => {
    const user = await newUser();
    expect(await me(user.cookie)).toMatchObject({ emailVerified: false });
    const token = await mailboxLink(user.email, "email_verification");
    const row = await env.DB.prepare(
      "SELECT expires_at - created_at AS ttl FROM privacy_tokens WHERE purpose = 'verify_email' AND account_id = ?",
    )
      .bind(user.id)
      .first<{ ttl: number }>();
    expect(row!.ttl).toBe(24 * 3_600_000);
    const used = await call("/api/privacy/links", { body: { token }, cookie: user.cookie });
    expect(await used.json()).toMatchObject({ purpose: "verify_email", email: user.email });
    expect(await me(user.cookie)).toMatchObject({ emailVerified: true });
    await expectError(await call("/api/privacy/links", { body: { token } }), 400);
  });

  it("an unverified account uses the dashboard API and the AI API on its trial credit", async () => {
    const user = await newUser();
    const created = await call("/api/keys", { body: { name: "k" }, cookie: user.cookie });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const res = await call("/v1/chat/completions", {
      key,
      body: { model: "dev/echo", messages: [{ role: "user", content: "hi" }] },
    });
    expect(res.status).toBe(200);
  });

  it("resend mails a fresh link (the old one dies), is throttled with 429 + Retry-After, and is 409 once verified", async () => {
    const user = await newUser();
    const first = await mailboxLink(user.email, "email_verification");
    const resend = () => call("/api/auth/verify-email/resend", { method: "POST", cookie: user.cookie });
    expect((await resend()).status).toBe(202);
    await expectError(await call("/api/privacy/links", { body: { token: first } }), 400);
    expect((await resend()).status).toBe(202);
    expect((await resend()).status).toBe(202);
    const throttled = await resend();
    await expectError(throttled.clone(), 429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    const verified = await newVerifiedUser();
    const e = await expectError(
      await call("/api/auth/verify-email/resend", { method: "POST", cookie: verified.cookie }),
      409,
    );
    expect(e.code).toBe("already_verified");
  });

  it("until the address is verified, email change, content logging, training consent and WhatsApp connect are 403 email_unverified", async () => {
    const user = await newUser();
    const next = uniqueEmail("next");
    const refused = [
      await call("/api/account", {
        method: "PATCH",
        body: { email: next, password: PASSWORD },
        cookie: user.cookie,
      }),
      await call("/api/settings/privacy", {
        method: "PUT",
        body: { contentLogging: true },
        cookie: user.cookie,
      }),
      await call("/api/settings/privacy", {
        method: "PUT",
        body: { trainingConsent: true },
        cookie: user.cookie,
      }),
      await call("/api/whatsapp", {
        method: "PUT",
        body: {
          phoneNumberId: "100200300400500",
          wabaId: "200300400500600",
          accessToken: "EAAG-unverified-token",
          appSecret: "unverified-app-secret",
          verifyToken: "unverified-verify-token",
          model: "dev/echo",
          systemPrompt: "Be brief.",
          password: PASSWORD,
        },
        cookie: user.cookie,
      }),
    ];
    for (const res of refused) {
      const e = await expectError(res, 403);
      expect(e.code).toBe("email_unverified");
      expect(e.message).toMatch(/Verify your email address/);
    }
    expect(await inbox(next)).toHaveLength(0);
    // Turning things off, and settings that keep nothing, stay open.
    const off = await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: false, notices: false, retentionDays: 7 },
      cookie: user.cookie,
    });
    expect(off.status).toBe(200);
  });

  it("sends email-change notices with a way back to the verified old address", async () => {
    const user = await newVerifiedUser();
    const next = uniqueEmail("next");
    await call("/api/account", {
      method: "PATCH",
      body: { email: next, password: PASSWORD },
      cookie: user.cookie,
    });
    expect((await inbox(next)).some((m) => m.kind === "email_change")).toBe(true);
    const notice = (await inbox(user.email)).find((m) => m.kind === "email_change_notice")!;
    expect(notice.text).toContain("within 7 days");
    // The page each link opens says what its mail said.
    const revert = await mailboxLink(user.email, "email_change_notice");
    expect(await confirmPage.loader(args(page(`/confirm?token=${revert}`)))).toMatchObject({
      validFor: "7 days",
    });
    const token = await mailboxLink(next, "email_change");
    expect(await confirmPage.loader(args(page(`/confirm?token=${token}`)))).toMatchObject({
      validFor: "24 hours",
    });
    await call("/api/privacy/links", { body: { token }, cookie: user.cookie });
    expect(await me(user.cookie)).toMatchObject({ email: next, emailVerified: true });
  });
});

describe("sudo mode", () => {
  it("signup and login do not count as a re-authentication; POST /api/auth/reauth does, for 10 minutes", async () => {
    const user = await newVerifiedUser();
    const patch = (cookie: string) =>
      call("/api/account", { method: "PATCH", body: { email: uniqueEmail("s") }, cookie });
    expect((await expectError(await patch(user.cookie), 401)).code).toBe("reauth_required");
    const fresh = cookieFrom(await login(user.email, PASSWORD));
    expect((await expectError(await patch(fresh), 401)).code).toBe("reauth_required");
    const wrong = await call("/api/auth/reauth", { body: { password: "not my password" }, cookie: fresh });
    expect((await expectError(wrong, 401)).code).toBe("reauth_required");
    expect((await call("/api/auth/reauth", { body: { password: PASSWORD }, cookie: fresh })).status).toBe(
      204,
    );
    expect((await patch(fresh)).status).toBe(200);
    // Recorded on that session only, and only for 10 minutes.
    expect((await expectError(await patch(user.cookie), 401)).code).toBe("reauth_required");
    await env.DB.prepare("UPDATE sessions SET reauth_at = ? WHERE account_id = ?")
      .bind(Date.now() - 11 * 60_000, user.id)
      .run();
    expect((await expectError(await patch(fresh), 401)).code).toBe("reauth_required");
  });

  it("throttles wrong password re-checks with growing delays (429 + Retry-After)", async () => {
    const user = await newUser();
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await call("/api/auth/reauth", { body: { password: `guess ${i} wrong` }, cookie: user.cookie });
      if (i < 5) await last.arrayBuffer();
    }
    await expectError(last!.clone(), 429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    // The deletion route's password check shares the throttle: even the right password waits.
    const deletion = await call("/api/privacy/requests", {
      body: { type: "deletion", password: PASSWORD },
      cookie: user.cookie,
    });
    await expectError(deletion, 429);
    expect((await call("/api/account", { cookie: user.cookie })).status).toBe(200);
  });
});

describe("passwords and sessions", () => {
  it("changes the password with the current one; every other session ends, this one stays", async () => {
    const user = await newUser();
    const other = cookieFrom(await login(user.email, PASSWORD));
    const change = (body: unknown) => call("/api/auth/password", { body, cookie: user.cookie });
    expect((await expectError(await change({ newPassword: NEW_PASSWORD }), 401)).code).toBe(
      "reauth_required",
    );
    await expectError(await change({ currentPassword: "wrong password!", newPassword: NEW_PASSWORD }), 401);
    expect((await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(204);
    expect((await call("/api/account", { cookie: user.cookie })).status).toBe(200);
    await expectError(await call("/api/account", { cookie: other }), 401);
    await expectError(await login(user.email, PASSWORD), 401);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("password reset: always 202, a single-use link to the account's address, every session ends", async () => {
    const user = await newUser();
    const unknown = await call("/api/auth/password-reset", { body: { email: uniqueEmail("nobody") } });
    const known = await call("/api/auth/password-reset", { body: { email: user.email.toUpperCase() } });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(await unknown.json()).toEqual(await known.json());
    const token = await mailboxLink(user.email, "password_reset");
    // A reset link is not a notice link: /api/privacy/links refuses it and leaves it usable.
    await expectError(await call("/api/privacy/links", { body: { token } }), 400);
    const confirm = (t: string) =>
      call("/api/auth/password-reset/confirm", { body: { token: t, newPassword: NEW_PASSWORD } });
    expect((await confirm(token)).status).toBe(204);
    await expectError(await confirm(token), 400);
    await expectError(await call("/api/account", { cookie: user.cookie }), 401);
    await expectError(await login(user.email, PASSWORD), 401);
    const back = cookieFrom(await login(user.email, NEW_PASSWORD));
    expect(await me(back)).toMatchObject({ emailVerified: true }); // the link proved the mailbox
  });

  it("throttles reset requests per client address (429), never per email in a way that reveals accounts", async () => {
    const address = { "cf-connecting-ip": "203.0.113.50" };
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await call("/api/auth/password-reset", { body: { email: uniqueEmail("r") }, headers: address });
      if (i < 10) await last.arrayBuffer();
    }
    await expectError(last!, 429);
  });

  it("logs out every other session", async () => {
    const user = await newUser();
    const other = cookieFrom(await login(user.email, PASSWORD));
    expect((await call("/api/auth/logout-others", { method: "POST", cookie: user.cookie })).status).toBe(204);
    await expectError(await call("/api/account", { cookie: other }), 401);
    expect((await call("/api/account", { cookie: user.cookie })).status).toBe(200);
  });
});

describe("configuration and documents", () => {
  it("reads every auth limit from AUTH_LIMITS (partial JSON over the defaults) and refuses a bad one", () => {
    const config = getConfig({ ...env, AUTH_LIMITS: '{"loginPerAddress":{"free":7}}' } as Env);
    expect(config.authLimits.loginPerAddress).toEqual({ free: 7, baseSeconds: 30, maxSeconds: 900 });
    expect(config.authLimits.loginPerEmailAndAddress.free).toBe(5);
    expect(() => getConfig({ ...env, AUTH_LIMITS: "{nope" } as Env)).toThrow(/AUTH_LIMITS/);
    expect(() => getConfig({ ...env, AUTH_LIMITS: '{"login":{}}' } as Env)).toThrow();
  });

  it("lists the identity routes in the OpenAPI document", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    for (const path of [
      "/api/auth/signup",
      "/api/auth/login",
      "/api/auth/logout",
      "/api/auth/logout-others",
      "/api/auth/verify-email/resend",
      "/api/auth/reauth",
      "/api/auth/password",
      "/api/auth/password-reset",
      "/api/auth/password-reset/confirm",
      "/api/account",
      // The second factor, passkeys and sessions (issue 31).
      "/api/auth/2fa",
      "/api/auth/2fa/totp",
      "/api/auth/2fa/totp/confirm",
      "/api/auth/2fa/recovery-codes",
      "/api/auth/login/2fa",
      "/api/auth/passkeys",
      "/api/auth/passkeys/registration/options",
      "/api/auth/passkeys/registration/verify",
      "/api/auth/passkeys/authentication/options",
      "/api/auth/passkeys/authentication/verify",
      "/api/auth/passkeys/{id}",
      "/api/auth/sessions",
      "/api/auth/sessions/{id}",
    ])
      expect(doc.paths[path], path).toBeDefined();
  });

  // Dashboard pages: tests/e2e/trust.test.ts (the pages need the real build).
  it("sends Cache-Control: no-store with secrets and private data", async () => {
    const user = await newUser();
    const responses = [
      await call("/api/keys", { body: { name: "k" }, cookie: user.cookie }),
      await call("/api/account", { cookie: user.cookie }),
      await call("/api/billing", { cookie: user.cookie }),
      await call("/api/whatsapp", { cookie: user.cookie }),
      await call("/api/usage", { cookie: user.cookie }),
    ];
    for (const res of responses) {
      await res.arrayBuffer();
      expect(res.headers.get("cache-control"), res.url).toBe("no-store");
    }
  });
});
