// Routing that keeps the privacy promise: an account's data policy, narrowed per key, decides which providers may
// receive a request. A forbidden model is refused with 403 data_policy_violation in the dialect's shape, nothing
// reaches the provider, and the request log keeps a zero-cost row; /v1/models lists only what the policy allows.
import { describe, expect, it } from "vitest";
import {
  anthropicFake,
  expectAnthropicError,
  marker,
  openaiFake,
  received,
  usageRows,
} from "../support/ai-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";

type User = Awaited<ReturnType<typeof newKeyUser>>;

const setAccountPolicy = async (user: User, dataPolicy: string) => {
  const res = await call("/api/settings/privacy", {
    method: "PUT",
    cookie: user.cookie,
    body: { dataPolicy },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { dataPolicy: string };
};

const setKeyPolicy = (user: User, keyId: string, dataPolicy: string) =>
  call(`/api/keys/${keyId}`, { method: "PATCH", cookie: user.cookie, body: { dataPolicy } });

const chat = (key: string, model: string, text: string) =>
  call("/v1/chat/completions", { key, body: { model, messages: [{ role: "user", content: text }] } });

const listed = async (key: string) => {
  const res = await call("/v1/models", { key });
  return ((await res.json()) as { data: { id: string; owned_by: string }[] }).data.map((m) => m.id);
};

describe("the account's data policy", () => {
  it("defaults to any and is read back as set", async () => {
    const user = await newKeyUser();
    const before = await call("/api/settings/privacy", { cookie: user.cookie });
    expect(((await before.json()) as { dataPolicy: string }).dataPolicy).toBe("any");
    expect((await setAccountPolicy(user, "eu_only")).dataPolicy).toBe("eu_only");
    const bad = await call("/api/settings/privacy", {
      method: "PUT",
      cookie: user.cookie,
      body: { dataPolicy: "nowhere" },
    });
    await expectError(bad, 400);
  });

  it("refuses a forbidden model in OpenAI's shape, sends nothing, and logs a zero-cost row", async () => {
    const user = await newKeyUser();
    // The first request caches the account's settings; the change must still apply to the next one at once.
    expect((await chat(user.key, "dev/echo", "warm")).status).toBe(200);
    await setAccountPolicy(user, "zero_retention");
    const m = marker("zdr");
    const e = await expectError(await chat(user.key, "openai/gpt-4o-mini", m), 403);
    expect(e).toMatchObject({ code: "data_policy_violation", type: "permission_error", param: "model" });
    expect(e.message).toContain("'openai/gpt-4o-mini'");
    expect(e.message).toContain("'zero_retention'");
    expect(await received(openaiFake(), m)).toHaveLength(0);
    const rows = await usageRows(user.id, 2);
    expect(rows.at(-1)).toMatchObject({
      model: "openai/gpt-4o-mini",
      provider: "none",
      status: 403,
      cost_micros: 0,
      input_tokens: 0,
      output_tokens: 0,
    });
  });

  it("refuses in Anthropic's shape on /v1/messages, streamed or not", async () => {
    const user = await newKeyUser();
    await setAccountPolicy(user, "eu_only");
    for (const stream of [false, true]) {
      const m = marker("eu");
      const res = await call("/v1/messages", {
        key: user.key,
        body: {
          model: "anthropic/claude-haiku-4-5",
          max_tokens: 16,
          stream,
          messages: [{ role: "user", content: m }],
        },
      });
      const e = await expectAnthropicError(res, 403);
      expect(e).toMatchObject({ type: "permission_error", code: "data_policy_violation" });
      expect(e.message).toContain("'eu_only'");
      expect(await received(anthropicFake(), m)).toHaveLength(0);
    }
  });

  it("allows what the policy allows", async () => {
    const user = await newKeyUser();
    await setAccountPolicy(user, "no_training");
    const m = marker("nt");
    expect((await chat(user.key, "openai/gpt-4o-mini", m)).status).toBe(200);
    expect(await received(openaiFake(), m)).toHaveLength(1);
    await setAccountPolicy(user, "eu_only");
    expect((await chat(user.key, "dev/echo", "local")).status).toBe(200);
  });

  it("/v1/models lists only the models the policy allows, each with its policy", async () => {
    const user = await newKeyUser();
    const all = await listed(user.key);
    expect(all).toContain("openai/gpt-4o-mini");
    await setAccountPolicy(user, "eu_only");
    const eu = await listed(user.key);
    expect(eu).toContain("dev/echo");
    expect(eu.some((id) => id.startsWith("openai/") || id.startsWith("anthropic/"))).toBe(false);
    const res = await call("/v1/models", { key: user.key });
    const [entry] = ((await res.json()) as { data: { data_policy: { regions: string[] } }[] }).data;
    expect(entry!.data_policy.regions).toEqual(["local"]);
  });
});

describe("a key's data policy", () => {
  it("narrows its account's for that key only, at once", async () => {
    const user = await newKeyUser();
    const other = await call("/api/keys", { cookie: user.cookie, body: { name: "other" } });
    const { key: otherKey } = (await other.json()) as { key: string };
    // Warm the key cache so the change must evict it.
    expect((await chat(user.key, "openai/gpt-4o-mini", marker("warm"))).status).toBe(200);
    const patched = await setKeyPolicy(user, user.keyId, "eu_only");
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { dataPolicy: string }).dataPolicy).toBe("eu_only");
    const e = await expectError(await chat(user.key, "openai/gpt-4o-mini", marker("k")), 403);
    expect(e.code).toBe("data_policy_violation");
    expect((await chat(otherKey, "openai/gpt-4o-mini", marker("o"))).status).toBe(200);
    expect(await listed(user.key)).not.toContain("openai/gpt-4o-mini");
    expect(await listed(otherKey)).toContain("openai/gpt-4o-mini");
  });

  it("cannot widen the account's: both apply", async () => {
    const user = await newKeyUser();
    await setAccountPolicy(user, "zero_retention");
    expect((await setKeyPolicy(user, user.keyId, "any")).status).toBe(200);
    const e = await expectError(await chat(user.key, "openai/gpt-4o-mini", marker("w")), 403);
    expect(e.message).toContain("'zero_retention'");
  });

  it("refuses a policy that does not exist", async () => {
    const user = await newKeyUser();
    await expectError(await setKeyPolicy(user, user.keyId, "mars_only"), 400);
  });
});
