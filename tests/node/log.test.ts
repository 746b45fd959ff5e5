// The logger prints no bound parameter, email, key, token, query string or message — fed a real drizzle error.
import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { describeError, formatHumanLine, formatLine, scrub } from "#worker/observability/log";

describe("the logger", () => {
  it("prints a drizzle error carrying an email as its name and first frame only", () => {
    const email = "alice.secret@example.com";
    const cause = new Error(`D1_ERROR: UNIQUE constraint failed: accounts.email (${email})`);
    const error = new DrizzleQueryError(
      'insert into "accounts" ("id", "email", "password_hash") values (?, ?, ?)',
      ["acc_1", email, "pbkdf2$hash"],
      cause,
    );
    expect(error.message).toContain(email); // drizzle's own message carries the params
    const line = formatLine("error", "request failed", {
      requestId: "8f1c2a3b4c5d6e7f-LHR",
      route: "/api/auth/signup",
      method: "POST",
      status: 500,
      durationMs: 12,
      error,
    });
    expect(line).not.toContain(email);
    expect(line).not.toContain("alice");
    expect(line).not.toContain("pbkdf2");
    expect(line).not.toContain("params");
    expect(line).not.toContain("insert into");
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({
      level: "error",
      msg: "request failed",
      requestId: "8f1c2a3b4c5d6e7f-LHR",
      route: "/api/auth/signup",
      status: 500,
      durationMs: 12,
      error: { name: "DrizzleQueryError", cause: "Error" },
    });
    expect(parsed.error.frame).toMatch(/^at /);
    expect(line.split("\n")).toHaveLength(1);
  });

  it("keeps an error's message out even when it spans lines that look like frames", () => {
    const error = new Error("bad\n    at evil (bob@example.com)\nparams: 10.1.2.3");
    const { frame } = describeError(error);
    expect(frame).toBeDefined();
    expect(frame).not.toContain("bob@example.com");
    expect(frame).not.toContain("evil");
  });

  it("scrubs emails, query strings, keys, tokens and addresses from every string field", () => {
    const line = formatLine("warn", "request refused", {
      route: "/confirm?token=abcdef&email=carol@example.com",
      note: "key sk-proj-abcdefghijklmnop and bm_live_0123456789abcdef from 203.0.113.9",
      token: "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8",
      body: { prompt: "secret prompt" },
    });
    expect(line).not.toMatch(/carol|token=|sk-proj|bm_live|203\.0\.113\.9|Zm9vYmFy|secret prompt/);
    expect(JSON.parse(line)).toMatchObject({ route: "/confirm", level: "warn" });
    expect(JSON.parse(line)).not.toHaveProperty("body");
    expect(scrub("dave@example.org")).toBe("[email]");
  });

  it("keeps an error code whole, though key_… codes look like keys, and scrubs a code that is not one", () => {
    expect(JSON.parse(formatLine("warn", "x", { code: "key_spend_limit_reached" })).code).toBe(
      "key_spend_limit_reached",
    );
    expect(JSON.parse(formatLine("warn", "x", { code: "key_revoked" })).code).toBe("key_revoked");
    expect(JSON.parse(formatLine("warn", "x", { code: "bm_live_0123456789abcdef" })).code).toBe("[secret]");
    expect(JSON.parse(formatLine("warn", "x", { code: "sk-proj-abcdefghijklmnop" })).code).toBe("[secret]");
  });

  it("drops a request id that is not an id", () => {
    expect(JSON.parse(formatLine("info", "x", { requestId: "eve@example.com" }))).not.toHaveProperty(
      "requestId",
    );
  });
});

describe("the human form (npm start)", () => {
  it("reads as one line: level, status, method, route, code, time, the sentence, then the ids", () => {
    const line = formatHumanLine("warn", "Request refused.", {
      requestId: "0193a4c2-7b1d-7000-8000-000000000001",
      route: "/v1/chat/completions",
      method: "POST",
      status: 401,
      code: "invalid_api_key",
      durationMs: 3,
      keyId: "3f2b8c1e-5d6a-4b7c-8d9e-000000000009",
    });
    expect(line).toBe(
      "WARN 401 POST /v1/chat/completions invalid_api_key 3 ms — Request refused. requestId=0193a4c2-7b1d-7000-8000-000000000001 keyId=3f2b8c1e-5d6a-4b7c-8d9e-000000000009",
    );
  });

  it("keeps exactly what the JSON form keeps: no email, query, key, body or error message", () => {
    const fields = {
      route: "/api/keys?token=abc",
      who: "someone@example.com",
      secret: "sk-live_abcdefghijklmnop",
      body: { prompt: "hello" },
      error: new Error("the prompt was: hello"),
    };
    const human = formatHumanLine("error", "Failed for someone@example.com", fields);
    const json = JSON.parse(formatLine("error", "Failed for someone@example.com", fields));
    for (const leaked of ["someone@example.com", "token=abc", "sk-live_abcdefghijklmnop", "hello"]) {
      expect(human).not.toContain(leaked);
    }
    expect(human).toContain(`${json.route}`);
    expect(human).toContain(`who=${json.who}`);
    expect(human).toContain(`error=${json.error.name}`);
    expect(human.startsWith("ERROR /api/keys — Failed for [email]")).toBe(true);
  });
});
