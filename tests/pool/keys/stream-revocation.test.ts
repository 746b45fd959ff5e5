// A key revoked or expired while one of its streams is open ends that stream — with the dialect's error event,
// no [DONE] — and the stream is metered to that point (status 401). A revocation from another isolate is a D1
// write this isolate never saw: the open stream's guard finds it (worker/keys/stream-guard.ts).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { anthropicFake, marker, openaiFake, script, usageRowById } from "../support/ai-helpers";
import { call, newKeyUser, newUser } from "../support/helpers";

const WORDS = 40;
const reply = Array.from({ length: WORDS }, (_, i) => `w${i} `).join("");

type Dialect = {
  name: string;
  path: string;
  fake: () => string;
  body: (m: string) => Record<string, unknown>;
};
const DIALECTS: Dialect[] = [
  {
    name: "OpenAI chat",
    path: "/v1/chat/completions",
    fake: openaiFake,
    body: (m) => ({ model: "openai/gpt-4o-mini", stream: true, messages: [{ role: "user", content: m }] }),
  },
  {
    name: "Responses",
    path: "/v1/responses",
    fake: openaiFake,
    body: (m) => ({ model: "openai/gpt-4o-mini", stream: true, input: m }),
  },
  {
    name: "Anthropic",
    path: "/v1/messages",
    fake: anthropicFake,
    body: (m) => ({
      model: "anthropic/claude-3-5-haiku-latest",
      stream: true,
      max_tokens: 100,
      messages: [{ role: "user", content: m }],
    }),
  },
];

/** Reads the stream until `until` says so, then runs `then`, then reads to the end; returns the whole text. */
async function readAround(res: Response, until: (text: string) => boolean, then: () => Promise<unknown>) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let acted = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (!acted && until(text)) {
      acted = true;
      await then();
    }
  }
  return text;
}

/** Content deltas delivered (each dialect's delta field; not the summaries some events repeat). */
const contentChunks = (text: string) => (text.match(/"(?:delta|content|text)":"w\d+ "/g) ?? []).length;

describe("a key revoked during a stream", () => {
  for (const dialect of DIALECTS) {
    it(`${dialect.name}: revoked on another isolate (a D1 write), the stream ends with an error event and is metered`, async () => {
      const { key, keyId, id } = await newKeyUser();
      const m = marker();
      await script(dialect.fake(), { match: m, chunkDelayMs: 150, reply });
      const res = await call(dialect.path, { key, body: dialect.body(m) });
      expect(res.status).toBe(200);
      const requestId = res.headers.get("x-request-id")!;
      const text = await readAround(
        res,
        (t) => contentChunks(t) >= 2,
        () => env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(Date.now(), keyId).run(),
      );
      expect(text).not.toContain("[DONE]");
      expect(text).toContain("revoked during the stream");
      expect(text.trimEnd().split("\n\n").at(-1)).toMatch(/error/);
      expect(contentChunks(text)).toBeLessThan(WORDS);
      const row = await usageRowById(id, requestId);
      expect(row).toMatchObject({ status: 401, streamed: 1 });
      expect(row!.output_tokens).toBeGreaterThan(0);
    });
  }

  it("revoked through the API on this isolate: the stream ends on its next check, without asking D1", async () => {
    const user = await newUser();
    const created = (await (
      await call("/api/keys", { body: { name: "s" }, cookie: user.cookie })
    ).json()) as {
      id: string;
      key: string;
    };
    const m = marker();
    await script(openaiFake(), { match: m, chunkDelayMs: 150, reply });
    const res = await call("/v1/chat/completions", { key: created.key, body: DIALECTS[0]!.body(m) });
    const text = await readAround(
      res,
      (t) => contentChunks(t) >= 1,
      () => call(`/api/keys/${created.id}`, { method: "DELETE", cookie: user.cookie }),
    );
    expect(text).not.toContain("[DONE]");
    expect(text).toContain("revoked during the stream");
    expect(contentChunks(text)).toBeLessThan(WORDS);
  });

  it("an expiry reached during the stream ends it the same way", async () => {
    const user = await newUser();
    const expiresAt = new Date(Date.now() + 2_500).toISOString();
    const created = await call("/api/keys", { body: { name: "short", expiresAt }, cookie: user.cookie });
    const { key } = (await created.json()) as { key: string };
    const m = marker();
    await script(openaiFake(), { match: m, chunkDelayMs: 150, reply });
    const res = await call("/v1/chat/completions", { key, body: DIALECTS[0]!.body(m) });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id")!;
    const text = await readAround(
      res,
      () => false,
      async () => {},
    );
    expect(text).not.toContain("[DONE]");
    expect(text).toContain("expired during the stream");
    expect(contentChunks(text)).toBeLessThan(WORDS);
    expect(await usageRowById(user.id, requestId)).toMatchObject({ status: 401 });
  });
});
