// Attacks on identity: parallel and IPv6-rotated password guessing, the email change as a mail cannon, login
// CSRF, and keys left behind by whoever signed up with an address before its holder proved it.
import { describe, expect, it } from "vitest";
import { countRows } from "../support/d1-count";
import {
  call,
  expectError,
  mailboxLink,
  newUser,
  newVerifiedUser,
  ORIGIN,
  PASSWORD,
  testAddress,
  uniqueEmail,
} from "../support/helpers";

async function statuses(requests: Promise<Response>[]): Promise<number[]> {
  const responses = await Promise.all(requests);
  await Promise.all(responses.map((r) => r.arrayBuffer()));
  return responses.map((r) => r.status);
}

const count = (list: number[], status: number) => list.filter((s) => s === status).length;

describe("attack: parallel password guessing", () => {
  it("40 simultaneous logins with wrong passwords get the 5 free tries, the rest 429 unchecked", async () => {
    const { email } = await newUser();
    const address = testAddress();
    const guesses = Array.from({ length: 40 }, (_, i) =>
      call("/api/auth/login", {
        body: { email, password: `guess number ${i}` },
        headers: { "cf-connecting-ip": address },
      }),
    );
    const answered = await statuses(guesses);
    expect(count(answered, 401)).toBe(5);
    expect(count(answered, 429)).toBe(35);
    // The owner, from their own address, is not slowed down.
    const ok = await call("/api/auth/login", {
      body: { email, password: PASSWORD },
      headers: { "cf-connecting-ip": testAddress() },
    });
    expect(ok.status).toBe(200);
  });

  it("a stolen session re-checking the password 20 times at once gets the 5 free tries", async () => {
    const { cookie } = await newUser();
    const address = testAddress();
    const guesses = Array.from({ length: 20 }, (_, i) =>
      call("/api/auth/reauth", {
        body: { password: `guess number ${i}` },
        cookie,
        headers: { "cf-connecting-ip": address },
      }),
    );
    const answered = await statuses(guesses);
    expect(count(answered, 401)).toBe(5);
    expect(count(answered, 429)).toBe(15);
  });

  it("logging in successfully gives back the address's count: a shared address is not slowed by its own users", async () => {
    const address = testAddress();
    const users = await Promise.all(Array.from({ length: 3 }, () => newUser()));
    for (let round = 0; round < 20; round++) {
      for (const u of users) {
        const res = await call("/api/auth/login", {
          body: { email: u.email, password: PASSWORD },
          headers: { "cf-connecting-ip": address },
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
    }
  });
});

describe("attack: rotating IPv6 addresses", () => {
  /** A random address inside 2001:db8:<tag>::/64 (documentation range), written in varied forms. */
  const inPrefix = (tag: number, i: number) =>
    i % 2
      ? `2001:db8:${tag.toString(16)}:0:${i.toString(16)}::1`
      : `2001:0DB8:${tag.toString(16)}::${i.toString(16)}`;

  it("the signup throttle counts a /64, not each of its 2^64 addresses", async () => {
    const tag = Math.floor(Math.random() * 0xffff);
    const answered: number[] = [];
    for (let i = 1; i <= 21; i++) {
      const res = await call("/api/auth/signup", {
        body: { email: uniqueEmail("v6"), password: PASSWORD },
        headers: { "cf-connecting-ip": inPrefix(tag, i) },
      });
      answered.push(res.status);
      await res.arrayBuffer();
    }
    expect(count(answered, 201)).toBe(20);
    expect(answered.at(-1)).toBe(429);
    // Another /64 signs up at once.
    const other = await call("/api/auth/signup", {
      body: { email: uniqueEmail("v6"), password: PASSWORD },
      headers: { "cf-connecting-ip": inPrefix(tag + 1, 1) },
    });
    expect(other.status).toBe(201);
  });

  it("password guesses for one email from one /64 share one throttle", async () => {
    const { email } = await newUser();
    const tag = Math.floor(Math.random() * 0xffff);
    const answered: number[] = [];
    for (let i = 1; i <= 8; i++) {
      const res = await call("/api/auth/login", {
        body: { email, password: `guess number ${i}` },
        headers: { "cf-connecting-ip": inPrefix(tag, i) },
      });
      answered.push(res.status);
      await res.arrayBuffer();
    }
    expect(count(answered, 401)).toBe(5);
    expect(count(answered, 429)).toBe(3);
  });
});

describe("attack: the email change as a mail cannon", () => {
  it("an account asks for at most 5 email changes an hour; the 6th is 429, mails nothing and changes nothing", async () => {
    const { cookie, email } = await newVerifiedUser();
    const targets = Array.from({ length: 6 }, () => uniqueEmail("target"));
    for (const target of targets.slice(0, 5)) {
      const res = await call("/api/account", {
        method: "PATCH",
        cookie,
        body: { email: target, password: PASSWORD },
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const refused = await call("/api/account", {
      method: "PATCH",
      cookie,
      body: { email: targets[5], password: PASSWORD, name: "Changed" },
    });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await expectError(refused, 429)).code).toBe("rate_limited");
    await expect(mailboxLink(targets[4]!, "email_change")).resolves.toBeTruthy();
    await expect(mailboxLink(targets[5]!, "email_change")).rejects.toThrow(/no email_change notice/);
    const account = (await (await call("/api/account", { cookie })).json()) as {
      email: string;
      name: string;
    };
    expect(account).toMatchObject({ email, name: null });
  });
});

describe("attack: login CSRF", () => {
  it("another site cannot log a visitor in to the attacker's account (no cookie yet, cross-site Origin)", async () => {
    const attacker = await newUser();
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { origin: "null", "sec-fetch-site": "cross-site" },
      // A sibling subdomain (say, a user-content host) is another site to us too.
      { "sec-fetch-site": "same-site" },
      { origin: "null", "sec-fetch-site": "same-site" },
    ];
    for (const headers of crossSite) {
      const res = await call("/api/auth/login", {
        body: { email: attacker.email, password: PASSWORD },
        headers,
        origin: null,
      });
      expect(res.headers.get("set-cookie")).toBeNull();
      expect((await expectError(res, 403)).code).toBe("csrf_origin_mismatch");
    }
    // Our own page, and a script or server without browser headers, still log in.
    const ours: Record<string, string>[] = [{ origin: ORIGIN }, { "sec-fetch-site": "same-origin" }, {}];
    for (const headers of ours) {
      const res = await call("/api/auth/login", {
        body: { email: attacker.email, password: PASSWORD },
        headers,
        origin: null,
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  });

  it("API-key and webhook paths take requests without browser origins as before", async () => {
    const res = await call("/webhooks/stripe", {
      rawBody: "{}",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      origin: null,
    });
    expect((await expectError(res, 400)).code).not.toBe("csrf_origin_mismatch");
  });
});

describe("attack: pre-account takeover", () => {
  const reset = async (email: string, newPassword: string) => {
    await (await call("/api/auth/password-reset", { body: { email } })).arrayBuffer();
    const token = await mailboxLink(email, "password_reset");
    const res = await call("/api/auth/password-reset/confirm", { body: { token, newPassword } });
    expect(res.status).toBe(204);
  };
  const chat = (key: string) =>
    call("/v1/chat/completions", {
      key,
      body: { model: "openai/gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content: "hi" }] },
    });

  it("keys made on an address before anyone proved it are revoked when its holder resets the password", async () => {
    // The attacker signs up with the victim's address (never verified) and makes a key.
    const victimEmail = uniqueEmail("victim");
    const squatter = await newUser(victimEmail);
    const created = await call("/api/keys", { body: { name: "squat" }, cookie: squatter.cookie });
    const { key } = (await created.json()) as { key: string };
    const before = await chat(key);
    expect(before.status).toBe(200);
    await before.arrayBuffer();
    // And tries to connect their own WhatsApp number, to be answered on the account's credit: not before the
    // address is proven.
    const connect = await call("/api/whatsapp", {
      method: "PUT",
      cookie: squatter.cookie,
      body: {
        phoneNumberId: String(Date.now()).padStart(15, "7"),
        wabaId: "123456789012345",
        accessToken: `EAAG${"1".repeat(40)}`,
        appSecret: "2".repeat(32),
        verifyToken: `verify-${crypto.randomUUID()}`,
        model: "dev/echo",
        systemPrompt: "Answer briefly.",
        password: PASSWORD,
      },
    });
    expect((await expectError(connect, 403)).code).toBe("email_unverified");
    // The victim cannot sign up (taken), so resets the password by the link mailed to their address.
    await reset(victimEmail, "the victim's own password");
    expect((await expectError(await chat(key), 401)).code).toBe("invalid_api_key");
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_connections WHERE account_id = ?", squatter.id),
    ).toBe(0);
  });

  it("a never-verified account without keys or a number resets as before", async () => {
    const user = await newUser();
    await reset(user.email, "the owner's new password");
  });

  it("a verified account's reset keeps its keys", async () => {
    const user = await newVerifiedUser();
    const created = await call("/api/keys", { body: { name: "prod" }, cookie: user.cookie });
    const { key } = (await created.json()) as { key: string };
    await reset(user.email, "a forgotten password, replaced");
    const res = await chat(key);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});
