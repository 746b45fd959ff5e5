// Attacks on identity, each performed as an attacker would; every test fails if its attack works again.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  call,
  cookieFrom,
  expectError,
  mailboxLink,
  newUser,
  newVerifiedUser,
  OPERATOR_EMAIL,
  operatorSession,
  PASSWORD,
  uniqueEmail,
} from "../support/helpers";
import { settle } from "../support/privacy-drive";

const login = (email: string, password: string, address: string) =>
  call("/api/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": address } });

describe("attack: admin by unverified signup", () => {
  it("signing up first with an ADMIN_EMAILS address gives no operator rights until that address is verified", async () => {
    // The attacker registers the operator's address (listed in ADMIN_EMAILS) before the operator does.
    const signup = await call("/api/auth/signup", {
      body: { email: ` ${OPERATOR_EMAIL.toUpperCase()} `, password: PASSWORD },
    });
    let cookie: string;
    if (signup.status === 201) cookie = cookieFrom(signup);
    else {
      // Another test of this file signed it up already: take that account back to "never verified".
      await signup.arrayBuffer();
      cookie = (await operatorSession()).cookie;
      await env.DB.prepare("UPDATE accounts SET email_verified_at = NULL WHERE email = ?")
        .bind(OPERATOR_EMAIL)
        .run();
    }
    const attempts = [
      call("/api/admin/privacy/requests", { cookie }),
      call("/api/admin/training-export", { cookie }),
      call("/api/admin/privacy/requests", {
        body: { email: "victim@example.com", type: "deletion", channel: "email", note: "" },
        cookie,
      }),
    ];
    for (const res of await Promise.all(attempts))
      expect((await expectError(res, 403)).code).toBe("not_admin");
    const audit = await env.DB.prepare("SELECT count(*) AS n FROM operator_audit").first<{ n: number }>();
    expect(audit!.n).toBe(0);
    // Only the holder of the mailbox can verify it; once verified, the rights follow on the next request.
    const token = await mailboxLink(OPERATOR_EMAIL, "email_verification");
    // Verified from the browser that signed up (elsewhere, the first proof would end this session: ADR 009).
    expect((await call("/api/privacy/links", { body: { token }, cookie })).status).toBe(200);
    const verified = await call("/api/admin/privacy/requests", { cookie });
    if (verified.status === 403) {
      // Signed up here: verified, but with no second factor yet (REQUIRE_2FA_FOR_OPERATORS is on).
      expect((await expectError(verified, 403)).code).toBe("second_factor_required");
      cookie = (await operatorSession()).cookie;
    } else await verified.arrayBuffer();
    expect((await call("/api/admin/privacy/requests", { cookie })).status).toBe(200);
  });

  it("loses operator rights at once when the operator's address is no longer verified", async () => {
    const operator = await operatorSession();
    expect((await call("/api/admin/privacy/requests", { cookie: operator.cookie })).status).toBe(200);
    await env.DB.prepare("UPDATE accounts SET email_verified_at = NULL WHERE id = ?").bind(operator.id).run();
    await expectError(await call("/api/admin/privacy/requests", { cookie: operator.cookie }), 403);
    await env.DB.prepare("UPDATE accounts SET email_verified_at = ? WHERE id = ?")
      .bind(Date.now(), operator.id)
      .run();
    expect((await call("/api/admin/privacy/requests", { cookie: operator.cookie })).status).toBe(200);
  });
});

describe("attack: email change without password", () => {
  it("a stolen session cookie cannot move the account to the attacker's address", async () => {
    const victim = await newVerifiedUser();
    const attackerBox = uniqueEmail("attacker");
    const e = await expectError(
      await call("/api/account", { method: "PATCH", body: { email: attackerBox }, cookie: victim.cookie }),
      401,
    );
    expect(e.code).toBe("reauth_required");
    const wrong = await call("/api/account", {
      method: "PATCH",
      body: { email: attackerBox, password: "a guessed password" },
      cookie: victim.cookie,
    });
    expect((await expectError(wrong, 401)).code).toBe("reauth_required");
    const box = (await (
      await call(`/dev/mailbox?format=json&to=${encodeURIComponent(attackerBox)}`)
    ).json()) as { data: unknown[] };
    expect(box.data).toEqual([]);
    const me = (await (await call("/api/account", { cookie: victim.cookie })).json()) as { email: string };
    expect(me.email).toBe(victim.email);
  });

  it("with the password, the old address is told and its one click undoes the change and ends every session", async () => {
    const victim = await newVerifiedUser();
    const attackerBox = uniqueEmail("attacker");
    // The attacker knows the password and confirms through their own mailbox.
    const attacker = cookieFrom(await login(victim.email, PASSWORD, "203.0.113.9"));
    const res = await call("/api/account", {
      method: "PATCH",
      body: { email: attackerBox, password: PASSWORD },
      cookie: attacker,
    });
    expect(res.status).toBe(200);
    const confirm = await mailboxLink(attackerBox, "email_change");
    expect((await call("/api/privacy/links", { body: { token: confirm }, cookie: attacker })).status).toBe(
      200,
    );
    // The confirmed change ended every other session: the victim's own is gone.
    await expectError(await call("/api/account", { cookie: victim.cookie }), 401);
    // The victim's old, verified address got the notice with the way back.
    const revert = await mailboxLink(victim.email, "email_change_notice");
    const used = await call("/api/privacy/links", { body: { token: revert } });
    expect(((await used.json()) as { purpose: string; email: string }).email).toBe(victim.email);
    await expectError(await call("/api/account", { cookie: attacker }), 401); // every session ended
    const back = cookieFrom(await login(victim.email, PASSWORD, "198.51.100.20"));
    const me = (await (await call("/api/account", { cookie: back })).json()) as {
      email: string;
      emailVerified: boolean;
    };
    expect(me).toMatchObject({ email: victim.email, emailVerified: true });
    await expectError(await call("/api/privacy/links", { body: { token: revert } }), 400); // single use
  });
});

describe("attack: deletion through an operator-recorded request confirmed by someone else", () => {
  it("only a link mailed to the holder's own verified address confirms; nothing else can", async () => {
    const operator = await operatorSession();
    const victim = await newVerifiedUser();
    const attacker = await newVerifiedUser();
    const res = await call("/api/admin/privacy/requests", {
      body: {
        email: victim.email,
        type: "deletion",
        channel: "email",
        note: "mail claiming to be the holder",
      },
      cookie: operator.cookie,
    });
    const request = (await res.json()) as { id: string; status: string };
    expect(request.status).toBe("verifying");
    // The attacker has no link: the confirmation went to the victim's mailbox only.
    const attackerBox = (await (
      await call(`/dev/mailbox?format=json&to=${encodeURIComponent(attacker.email)}`)
    ).json()) as { data: { kind: string }[] };
    expect(attackerBox.data.some((m) => m.kind === "request_confirmation")).toBe(false);
    // Guessing or forging links fails; a link of the attacker's own (their verification) confirms nothing.
    await expectError(await call("/api/privacy/links", { body: { token: "forged-token-value-123" } }), 400);
    const status = await env.DB.prepare("SELECT status FROM privacy_requests WHERE id = ?")
      .bind(request.id)
      .first<{ status: string }>();
    expect(status!.status).toBe("verifying");
    expect((await call("/api/account", { cookie: victim.cookie })).status).toBe(200);
    // The operator's action is in the audit.
    const audit = await env.DB.prepare("SELECT action, target FROM operator_audit WHERE target = ?")
      .bind(request.id)
      .all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(["privacy.request.recorded"]);
    // The holder confirms from their own mailbox: only then does it run.
    const token = await mailboxLink(victim.email, "request_confirmation");
    expect((await call("/api/privacy/links", { body: { token } })).status).toBe(200);
    expect(await settle(victim.id, request.id)).toBe("completed");
  });

  it("an address that never verified gets no confirmation link: the request is denied", async () => {
    const operator = await operatorSession();
    const squatter = await newUser(); // signed up with someone's address, never verified
    const res = await call("/api/admin/privacy/requests", {
      body: { email: squatter.email, type: "deletion", channel: "email", note: "" },
      cookie: operator.cookie,
    });
    const request = (await res.json()) as { status: string; denialReason: string };
    expect(request.status).toBe("denied");
    expect(request.denialReason).toMatch(/not verified/);
    const box = (await (
      await call(`/dev/mailbox?format=json&to=${encodeURIComponent(squatter.email)}`)
    ).json()) as { data: { kind: string }[] };
    expect(box.data.some((m) => m.kind === "request_confirmation")).toBe(false);
  });
});

describe("attack: the lockout", () => {
  it("an attacker hammering from another address never locks the owner out of their own", async () => {
    const owner = await newUser();
    const attackerAddress = "203.0.113.66";
    // Hammer the owner's email, then spray other emails from the same address.
    let last: Response | undefined;
    for (let i = 0; i < 10; i++) {
      last = await login(owner.email, `wrong password ${i}`, attackerAddress);
      await last.arrayBuffer();
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    // The pair is slowed down even with the right password.
    await expectError(await login(owner.email, PASSWORD, attackerAddress), 429);
    for (let i = 0; i < 50; i++)
      await (await login(uniqueEmail("spray"), "wrong password!", attackerAddress)).arrayBuffer();
    // Past the per-address allowance, every email from that address waits.
    await expectError(await login(uniqueEmail(), PASSWORD, attackerAddress), 429);
    // The owner, from their own address, logs in at once.
    const ok = await login(owner.email, PASSWORD, "198.51.100.7");
    expect(ok.status).toBe(200);
  });

  it("delays grow with each failure past the free ones, and forget after a quiet spell", async () => {
    const owner = await newUser();
    const address = "203.0.113.77";
    const retryAfter = async () => {
      const res = await login(owner.email, "wrong password!", address);
      const wait = res.status === 429 ? Number(res.headers.get("retry-after")) : 0;
      await res.arrayBuffer();
      return wait;
    };
    for (let i = 0; i < 4; i++) expect(await retryAfter()).toBe(0); // free failures answer 401
    expect(await retryAfter()).toBe(0); // the 5th failure starts the first delay
    const first = await retryAfter();
    expect(first).toBeGreaterThan(0);
    // Let the delay pass (without waiting), fail once more: the next delay is twice as long.
    await env.DB.prepare(
      "UPDATE auth_throttles SET blocked_until = 0 WHERE bucket LIKE 'login:pair:%' AND blocked_until > ?",
    )
      .bind(Date.now())
      .run();
    expect(await retryAfter()).toBe(0);
    expect(await retryAfter()).toBeGreaterThan(first);
  });
});

describe("attack: redirect and oversize form", () => {
  it("a 30 MB form POST to /login is refused with 413 before it is read, parsed or hashed", async () => {
    const body = `email=a%40example.com&password=${"x".repeat(30 * 1024 * 1024)}`;
    const res = await call("/login", {
      rawBody: body,
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) },
    });
    expect(res.status).toBe(413);
    expect(await res.text()).not.toContain("dashboard stub"); // the page never ran
  });

  it("answers an oversize streamed form (no Content-Length) with 413 too", async () => {
    const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= 30) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await call("/login", {
      rawBody: stream,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(413);
  });
});
