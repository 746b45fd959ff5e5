import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  call,
  cookieFrom,
  expectError,
  newUser,
  newVerifiedUser,
  PASSWORD,
  uniqueEmail,
} from "../support/helpers";

async function count(table: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>();
  return row!.n;
}

describe("sign-up", () => {
  it("creates an account, sets an HttpOnly SameSite=Lax session cookie, stores only hashes", async () => {
    const email = uniqueEmail();
    const res = await call("/api/auth/signup", {
      body: { email: `  ${email.toUpperCase()} `, password: PASSWORD },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { account: { email: string } };
    expect(body.account.email).toBe(email);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const token = cookieFrom(res).split("=")[1]!;
    const row = await env.DB.prepare("SELECT * FROM accounts WHERE email = ?")
      .bind(email)
      .first<Record<string, unknown>>();
    expect(row!.password_hash).not.toContain(PASSWORD);
    expect(row!.password_iterations).toBe(100_000);
    const sessions = await env.DB.prepare("SELECT id_hash FROM sessions WHERE account_id = ?")
      .bind(row!.id)
      .all();
    expect(sessions.results).toHaveLength(1);
    expect(sessions.results[0]!.id_hash).not.toBe(token);
  });

  it("refuses a taken email with 409, case-insensitively, and creates nothing", async () => {
    const { email } = await newUser();
    const before = await count("accounts");
    const e = await expectError(
      await call("/api/auth/signup", { body: { email: email.toUpperCase(), password: PASSWORD } }),
      409,
    );
    expect(e.code).toBe("email_taken");
    expect(await count("accounts")).toBe(before);
  });

  it.each([
    [
      "malformed JSON",
      { rawBody: "{nope", headers: { "content-type": "application/json" } },
      400,
      "invalid_json",
    ],
    ["wrong content type", { rawBody: "email=a", headers: { "content-type": "text/plain" } }, 415, null],
    ["missing fields", { body: {} }, 400, "invalid_request"],
    ["wrong types", { body: { email: 5, password: true } }, 400, "invalid_request"],
    [
      "unknown fields",
      { body: { email: "x@example.com", password: PASSWORD, admin: true } },
      400,
      "invalid_request",
    ],
    ["short password", { body: { email: "x@example.com", password: "short" } }, 400, "invalid_request"],
    ["bad email", { body: { email: "not-an-email", password: PASSWORD } }, 400, "invalid_request"],
    [
      "oversize body",
      { body: { email: "x@example.com", password: "a".repeat(300_000) } },
      413,
      "body_too_large",
    ],
  ])("refuses %s in the one error shape and changes nothing", async (_name, init, status, code) => {
    const before = await count("accounts");
    const e = await expectError(await call("/api/auth/signup", init), status);
    if (code) expect(e.code).toBe(code);
    expect(await count("accounts")).toBe(before);
  });

  it("names the offending field in param", async () => {
    const e = await expectError(
      await call("/api/auth/signup", { body: { email: "nope", password: PASSWORD } }),
      400,
    );
    expect(e.param).toBe("email");
  });
});

describe("log-in and sessions", () => {
  it("logs in with the right password and rotates the session", async () => {
    const { email, cookie } = await newUser();
    const res = await call("/api/auth/login", { body: { email, password: PASSWORD }, cookie });
    expect(res.status).toBe(200);
    const fresh = cookieFrom(res);
    expect(fresh).not.toBe(cookie);
    expect((await call("/api/account", { cookie })).status).toBe(401); // the old session died
    expect((await call("/api/account", { cookie: fresh })).status).toBe(200);
  });

  it("gives the same generic error for a wrong password and an unknown email", async () => {
    const { email } = await newUser();
    const wrong = await expectError(
      await call("/api/auth/login", { body: { email, password: "wrong password!" } }),
      401,
    );
    const unknown = await expectError(
      await call("/api/auth/login", { body: { email: uniqueEmail(), password: PASSWORD } }),
      401,
    );
    expect(wrong.message).toBe(unknown.message);
    expect(wrong.message).toBe("Incorrect email or password.");
  });

  it("rate-limits attempts per email with 429 and Retry-After", async () => {
    const { email } = await newUser();
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await call("/api/auth/login", { body: { email, password: "wrong password!" } });
      if (i < 10) await last.arrayBuffer();
    }
    await expectError(last!.clone(), 429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Even the right password is refused while throttled.
    await expectError(await call("/api/auth/login", { body: { email, password: PASSWORD } }), 429);
  });

  it("logs out: the session stops working and the cookie is cleared", async () => {
    const { cookie } = await newUser();
    const res = await call("/api/auth/logout", { method: "POST", cookie });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/Expires=Thu, 01 Jan 1970/);
    await expectError(await call("/api/account", { cookie }), 401);
  });

  it("an active session's last-seen advances on use, so it outlives the idle limit; an idle one expires", async () => {
    const { cookie, id } = await newUser();
    const lastSeen = async () =>
      (await env.DB.prepare("SELECT last_seen_at FROM sessions WHERE account_id = ?").bind(id).first<{
        last_seen_at: number;
      }>())!.last_seen_at;
    const sixDaysAgo = Date.now() - 6 * 24 * 3600 * 1000;
    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE account_id = ?")
      .bind(sixDaysAgo, id)
      .run();
    const before = Date.now();
    expect((await call("/api/account", { cookie })).status).toBe(200);
    expect(await lastSeen()).toBeGreaterThanOrEqual(before);
    // Two more days pass: idle since its last use only, not since six days before it.
    await env.DB.prepare("UPDATE sessions SET last_seen_at = last_seen_at - ? WHERE account_id = ?")
      .bind(2 * 24 * 3600 * 1000, id)
      .run();
    expect((await call("/api/account", { cookie })).status).toBe(200);
  });

  it("expires idle sessions", async () => {
    const { cookie, id } = await newUser();
    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE account_id = ?")
      .bind(Date.now() - 8 * 24 * 3600 * 1000, id)
      .run();
    await expectError(await call("/api/account", { cookie }), 401);
  });

  it("expires sessions past their absolute lifetime", async () => {
    const { cookie, id } = await newUser();
    await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE account_id = ?")
      .bind(Date.now() - 1, id)
      .run();
    await expectError(await call("/api/account", { cookie }), 401);
  });
});

describe("CSRF", () => {
  it("refuses an unsafe cookie request from another origin and changes nothing", async () => {
    const { cookie } = await newUser();
    const e = await expectError(
      await call("/api/account", {
        method: "PATCH",
        body: { name: "Mallory" },
        cookie,
        origin: "https://evil.example",
      }),
      403,
    );
    expect(e.code).toBe("csrf_origin_mismatch");
    const account = (await (await call("/api/account", { cookie })).json()) as { name: string | null };
    expect(account.name).toBeNull();
  });

  it("refuses an unsafe cookie request with no Origin and no Sec-Fetch-Site", async () => {
    const { cookie } = await newUser();
    await expectError(await call("/api/keys", { body: { name: "x" }, cookie, origin: null }), 403);
  });

  it("with Origin: null (a no-referrer page), lets Sec-Fetch-Site decide", async () => {
    const { cookie } = await newUser();
    const nullOrigin = (site: string) =>
      call("/api/keys", { body: { name: "x" }, cookie, origin: "null", headers: { "sec-fetch-site": site } });
    expect((await nullOrigin("same-origin")).status).toBe(201);
    await expectError(await nullOrigin("cross-site"), 403);
    await expectError(await call("/api/keys", { body: { name: "x" }, cookie, origin: "null" }), 403);
  });

  it("accepts Sec-Fetch-Site: same-origin without Origin", async () => {
    const { cookie } = await newUser();
    const res = await call("/api/keys", {
      body: { name: "x" },
      cookie,
      origin: null,
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(res.status).toBe(201);
  });
});

describe("account", () => {
  it("reads and rectifies the profile", async () => {
    const { cookie, email } = await newUser();
    const me = (await (await call("/api/account", { cookie })).json()) as { email: string };
    expect(me.email).toBe(email);
    const res = await call("/api/account", { method: "PATCH", body: { name: "Ada" }, cookie });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe("Ada");
  });

  it("refuses an email another account uses with 409", async () => {
    const a = await newUser();
    const b = await newVerifiedUser();
    await expectError(
      await call("/api/account", {
        method: "PATCH",
        body: { email: a.email, password: PASSWORD },
        cookie: b.cookie,
      }),
      409,
    );
  });

  it("requires a session", async () => {
    await expectError(await call("/api/account"), 401);
  });
});
