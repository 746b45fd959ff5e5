// The second factor through the API: an authenticator app set up under sudo, logins that need it, codes that
// work once, recovery codes, throttles, sudo by code, removal, the squatter's factor discarded on first proof,
// and operators sent to set one up (REQUIRE_2FA_FOR_OPERATORS, on as committed).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as admin from "../../../app/routes/admin";
import {
  call,
  cookieFrom,
  enrolTotp,
  expectError,
  mailboxLink,
  newUser,
  newVerifiedUser,
  OPERATOR_EMAIL,
  PASSWORD,
  testAddress,
  totpCode,
  uniqueEmail,
  verifyEmail,
} from "../support/helpers";
import { args, page } from "../support/route-calls";

const login = (email: string, password = PASSWORD, address = testAddress()) =>
  call("/api/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": address } });
const finish = (pending: string, body: Record<string, string>, address = testAddress()) =>
  call("/api/auth/login/2fa", { body, cookie: pending, headers: { "cf-connecting-ip": address } });
/** The code of the next 30-second step: a code works once, so a second login in the same test uses the next. */
const later = (secret: string, steps: number) => totpCode(secret, Date.now() + steps * 30_000);

describe("authenticator app", () => {
  it("is set up only under sudo, proven by a code, and its secret is stored sealed", async () => {
    const user = await newVerifiedUser();
    const bare = await call("/api/auth/2fa/totp", { method: "POST", cookie: user.cookie });
    expect((await expectError(bare, 401)).code).toBe("reauth_required");
    const started = await call("/api/auth/2fa/totp", { body: { password: PASSWORD }, cookie: user.cookie });
    expect(started.status).toBe(200);
    const { secret, otpauthUrl } = (await started.json()) as { secret: string; otpauthUrl: string };
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    const row = await env.DB.prepare(
      "SELECT secret_sealed, confirmed_at FROM totp_factors WHERE account_id = ?",
    )
      .bind(user.id)
      .first<{ secret_sealed: string; confirmed_at: number | null }>();
    expect(row!.secret_sealed).not.toContain(secret);
    expect(row!.secret_sealed).toMatch(/^t1\./);
    expect(row!.confirmed_at).toBeNull();
    // Not on until proven: logging in still needs only the password.
    expect(((await (await login(user.email)).json()) as { account?: unknown }).account).toBeDefined();

    const wrong = await call("/api/auth/2fa/totp/confirm", { body: { code: "000000" }, cookie: user.cookie });
    expect((await expectError(wrong, 401)).code).toBe("invalid_second_factor");
    const confirmed = await call("/api/auth/2fa/totp/confirm", {
      body: { code: totpCode(secret) },
      cookie: user.cookie,
    });
    expect(confirmed.status).toBe(200);
    const { recoveryCodes } = (await confirmed.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const stored = await env.DB.prepare("SELECT code_hash FROM recovery_codes WHERE account_id = ?")
      .bind(user.id)
      .all<{ code_hash: string }>();
    expect(stored.results).toHaveLength(10);
    for (const code of recoveryCodes) expect(JSON.stringify(stored.results)).not.toContain(code);
    // A second app needs the first removed.
    const again = await call("/api/auth/2fa/totp", { body: { password: PASSWORD }, cookie: user.cookie });
    expect((await expectError(again, 409)).code).toBe("totp_already_on");
  });

  it("makes login a two-step affair: no session until the code, each code once, each recovery code once", async () => {
    const user = await newVerifiedUser();
    const { secret, recoveryCodes } = await enrolTotp(user.cookie);

    const first = await login(user.email);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ mfaRequired: true, methods: ["totp", "recovery_code"] });
    const pending = cookieFrom(first);
    expect(pending).toMatch(/^mfa=/);
    // The pending login is no session.
    await expectError(await call("/api/account", { cookie: pending }), 401);
    // Without the pending login, a code completes nothing.
    await expectError(await call("/api/auth/login/2fa", { body: { code: later(secret, 1) } }), 401);

    const code = later(secret, 1);
    const done = await finish(pending, { code });
    expect(done.status).toBe(200);
    const session = cookieFrom(done);
    expect(session).toMatch(/^sid=/);
    expect((await call("/api/account", { cookie: session })).status).toBe(200);
    // The pending login was used up, and the same code never works twice (not even for a new login).
    await expectError(await finish(pending, { code }), 401);
    const second = cookieFrom(await login(user.email));
    expect((await expectError(await finish(second, { code }), 401)).code).toBe("invalid_second_factor");

    const recovery = recoveryCodes[0]!;
    expect((await finish(second, { recoveryCode: recovery.toUpperCase() })).status).toBe(200);
    const third = cookieFrom(await login(user.email));
    expect((await expectError(await finish(third, { recoveryCode: recovery }), 401)).code).toBe(
      "invalid_second_factor",
    );
    const left = (await (await call("/api/auth/2fa", { cookie: session })).json()) as {
      recoveryCodesLeft: number;
    };
    expect(left.recoveryCodesLeft).toBe(9);
  });

  it("throttles wrong codes like wrong passwords: growing delays per account and address", async () => {
    const user = await newVerifiedUser();
    await enrolTotp(user.cookie);
    const address = testAddress();
    const pending = cookieFrom(await login(user.email, PASSWORD, address));
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await finish(pending, { code: String(100000 + i) }, address);
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toContain(429);
    const blocked = await finish(pending, { code: "123456" }, address);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("re-authenticates by a code (sudo), and its removal needs sudo and takes the recovery codes with it", async () => {
    const user = await newVerifiedUser();
    const { secret } = await enrolTotp(user.cookie);
    // A login: the session it makes is no sudo session.
    const fresh = cookieFrom(await finish(cookieFrom(await login(user.email)), { code: later(secret, 1) }));
    const bare = await call("/api/auth/2fa/totp", { method: "DELETE", cookie: fresh });
    expect((await expectError(bare, 401)).code).toBe("reauth_required");
    const wrong = await call("/api/auth/reauth", { body: { code: "000000" }, cookie: fresh });
    expect((await expectError(wrong, 401)).code).toBe("invalid_second_factor");
    // The code just used for the login is spent; the next step's opens the sudo window.
    const spent = await call("/api/auth/reauth", { body: { code: later(secret, 1) }, cookie: fresh });
    expect((await expectError(spent, 401)).code).toBe("invalid_second_factor");
    // (The login's code went past this one's step: a code a step later is the app's next one.)
    await env.DB.prepare("UPDATE totp_factors SET last_step = last_step - 3 WHERE account_id = ?")
      .bind(user.id)
      .run();
    expect(
      (await call("/api/auth/reauth", { body: { code: later(secret, -1) }, cookie: fresh })).status,
    ).toBe(204);
    expect((await call("/api/auth/2fa/totp", { method: "DELETE", cookie: fresh })).status).toBe(204);
    const codes = await env.DB.prepare("SELECT count(*) AS n FROM recovery_codes WHERE account_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(codes!.n).toBe(0);
    expect(((await (await login(user.email)).json()) as { account?: unknown }).account).toBeDefined();
  });
});

describe("a squatter's second factor", () => {
  it("is discarded when the owner first proves the address by a reset", async () => {
    const victim = uniqueEmail("owner");
    const squatter = await newUser(victim);
    await enrolTotp(squatter.cookie);
    await call("/api/auth/password-reset", { body: { email: victim } });
    const token = await mailboxLink(victim, "password_reset");
    const newPassword = "the owner's own passphrase";
    expect((await call("/api/auth/password-reset/confirm", { body: { token, newPassword } })).status).toBe(
      204,
    );
    const owner = await login(victim, newPassword);
    expect(((await owner.json()) as { account?: unknown }).account).toBeDefined();
    const left = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM totp_factors WHERE account_id = ?1) + (SELECT count(*) FROM recovery_codes WHERE account_id = ?1) AS n",
    )
      .bind(squatter.id)
      .first<{ n: number }>();
    expect(left!.n).toBe(0);
  });
});

describe("the owner's mailbox is no way around the second factor", () => {
  it("a password reset keeps the factor: the next login still asks for it", async () => {
    const user = await newVerifiedUser();
    const { secret } = await enrolTotp(user.cookie);
    await call("/api/auth/password-reset", { body: { email: user.email } });
    const token = await mailboxLink(user.email, "password_reset");
    const newPassword = "a reset passphrase of mine";
    expect((await call("/api/auth/password-reset/confirm", { body: { token, newPassword } })).status).toBe(
      204,
    );
    const again = await login(user.email, newPassword);
    expect(await again.json()).toEqual({ mfaRequired: true, methods: ["totp", "recovery_code"] });
    expect((await finish(cookieFrom(again), { code: later(secret, 1) })).status).toBe(200);
  });
});

describe("a login waiting for its second factor", () => {
  it("dies with a password reset: the old password's half-login cannot be finished after it", async () => {
    const user = await newVerifiedUser();
    const { recoveryCodes } = await enrolTotp(user.cookie);
    const pending = cookieFrom(await login(user.email));
    await call("/api/auth/password-reset", { body: { email: user.email } });
    const token = await mailboxLink(user.email, "password_reset");
    const newPassword = "a reset passphrase of mine";
    expect((await call("/api/auth/password-reset/confirm", { body: { token, newPassword } })).status).toBe(
      204,
    );
    const late = await finish(pending, { recoveryCode: recoveryCodes[0]! });
    expect((await expectError(late, 401)).code).toBe("challenge_expired");
  });

  it("dies with a password change made from another session", async () => {
    const user = await newVerifiedUser();
    const { recoveryCodes } = await enrolTotp(user.cookie);
    const pending = cookieFrom(await login(user.email));
    const changed = await call("/api/auth/password", {
      body: { currentPassword: PASSWORD, newPassword: "a changed passphrase of mine" },
      cookie: user.cookie,
    });
    expect(changed.status).toBe(204);
    const late = await finish(pending, { recoveryCode: recoveryCodes[0]! });
    expect((await expectError(late, 401)).code).toBe("challenge_expired");
  });

  it("one recovery code sent to two pending logins at once finishes exactly one of them", async () => {
    const user = await newVerifiedUser();
    const { recoveryCodes } = await enrolTotp(user.cookie);
    const pendings = await Promise.all(
      Array.from({ length: 6 }, async () => cookieFrom(await login(user.email))),
    );
    const results = await Promise.all(
      pendings.map((pending) => finish(pending, { recoveryCode: recoveryCodes[0]! })),
    );
    const statuses = await Promise.all(
      results.map(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
  });
});

describe("operators (REQUIRE_2FA_FOR_OPERATORS on)", () => {
  it("without a second factor get a setup page instead of /admin, and 403 second_factor_required from its API", async () => {
    const signup = await call("/api/auth/signup", { body: { email: OPERATOR_EMAIL, password: PASSWORD } });
    const cookie = cookieFrom(signup);
    await verifyEmail(OPERATOR_EMAIL, cookie);
    const refused = await call("/api/admin/privacy/requests", { cookie });
    expect((await expectError(refused, 403)).code).toBe("second_factor_required");
    const sent = await admin.loader(args(page("/admin", cookie))).catch((r: unknown) => r);
    expect(sent).toBeInstanceOf(Response);
    expect((sent as Response).status).toBe(302);
    expect((sent as Response).headers.get("location")).toBe("/dashboard/account/two-factor?next=%2Fadmin");

    await enrolTotp(cookie);
    expect((await call("/api/admin/privacy/requests", { cookie })).status).toBe(200);
    const data = await admin.loader(args(page("/admin", cookie)));
    expect(data).toHaveProperty("promises");
  });
});
