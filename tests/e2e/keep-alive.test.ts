// Early error answers on a served build keep keep-alive connections usable: 100 POSTs whose bodies are refused
// before they are read (bad key, the per-key 429, unknown routes) over one pooled connection get 100 answers.
import http from "node:http";
import { expect, inject, it } from "vitest";

const baseUrl = inject("baseUrl").replace("localhost", "127.0.0.1");

type Answer = { status: number } | { error: string };

function post(agent: http.Agent, path: string, key: string, body: string): Promise<Answer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

async function keyLimitedToOnePerMinute(): Promise<string> {
  const signup = await fetch(`${baseUrl}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: `keepalive-${Date.now()}@example.com`,
      password: "a long enough password",
    }),
  });
  expect(signup.status).toBe(201);
  const cookie = signup.headers.get("set-cookie")!.split(";")[0]!;
  const created = await fetch(`${baseUrl}/api/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: new URL(baseUrl).origin },
    body: JSON.stringify({ name: "slow", rateLimitRpm: 1 }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { key: string }).key;
}

it("answers 100 keep-alive POSTs refused before their bodies are read, with no connection reset", async () => {
  const key = await keyLimitedToOnePerMinute();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({
    model: "dev/echo",
    messages: [{ role: "user", content: "x".repeat(64 * 1024) }],
  });
  // The key's one request this minute, then refusals only.
  expect(await post(agent, "/v1/chat/completions", key, body)).toEqual({ status: 200 });
  const answers: Answer[] = [];
  for (let i = 0; i < 100; i++) {
    const [path, credential] = [
      ["/v1/chat/completions", "bm_not_a_key"],
      ["/v1/chat/completions", key],
      ["/v1/nope", "bm_not_a_key"],
      ["/api/nope", "bm_not_a_key"],
    ][i % 4]!;
    answers.push(await post(agent, path!, credential!, body));
  }
  agent.destroy();
  expect(answers.filter((a) => "error" in a)).toEqual([]);
  expect(answers.map((a) => ("status" in a ? a.status : 0))).toEqual(
    Array.from({ length: 100 }, (_, i) => [401, 429, 401, 404][i % 4]),
  );
});
