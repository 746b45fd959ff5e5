// `npm start` as a newcomer runs it (fresh state, a local model server on loopback, nothing else set), and the
// shipped build served with only its committed config (a deployed Worker): no development surface there.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/ports";
import { startServer } from "../../scripts/server";
import { FAKE_OPENAI_KEY, startFakeOpenAI } from "../fakes/openai";

const root = path.resolve(import.meta.dirname, "../..");
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Resolves once a TCP connection to the port succeeds, trying again at once while it is refused. */
async function portOpen(port: number, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `npm start -- --no-build ...` (the build is the e2e setup's) in its own process group, stopped after the file. */
function npmStart(args: string[]): { child: ChildProcess; output: () => string } {
  let output = "";
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["scripts/start.ts", "--no-build", ...args], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || !child.pid) return resolve();
        child.once("exit", () => resolve());
        process.kill(-child.pid, "SIGTERM");
      }),
  );
  return { child, output: () => output };
}

const chat = (model: string) =>
  JSON.stringify({ model, messages: [{ role: "user", content: "Hello" }], max_tokens: 16 });

describe("npm start on a fresh clone", () => {
  it("answers 201 to 20 signups fired the moment the port opens, and talks to a loopback model server with no other var", async () => {
    const fake = await startFakeOpenAI();
    cleanups.push(() => fake.close());
    const dataDir = mkdtempSync(path.join(tmpdir(), "botmara-start-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const { child, output } = npmStart([
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      "--var",
      `OPENAI_BASE_URL:${fake.url}/v1`,
      "--var",
      `OPENAI_API_KEY:${FAKE_OPENAI_KEY}`,
    ]);

    await portOpen(port, child);
    const signups = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${origin}/api/auth/signup`, {
          method: "POST",
          // Twenty newcomers on twenty machines (one address would meet the signup throttle).
          headers: { "content-type": "application/json", origin, "cf-connecting-ip": `192.0.2.${i + 1}` },
          body: JSON.stringify({ email: `first-${i}@example.com`, password: "a long enough password" }),
        }).then(async (res) => ({ status: res.status, body: await res.text() })),
      ),
    );
    expect(signups.filter((s) => s.status !== 201)).toEqual([]);

    // The demo key is printed by then, and the local model server (plain http on loopback) answers through it.
    await expect.poll(output, { timeout: 30_000 }).toMatch(/Demo API key:\s+\S+/);
    const key = output().match(/Demo API key:\s+(\S+)/)![1]!;
    const res = await fetch(`${origin}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: chat("openai/gpt-4o-mini"),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(JSON.parse(text).choices[0].message.content).toBe("Hello from the fake OpenAI provider.");
    // Local mode: the dev mailbox exists (the signups' verification notices may land there).
    expect((await fetch(`${origin}/dev/mailbox?format=json`)).status).toBe(200);
  });
});

describe("the shipped build, served with only its committed config (a deployed Worker)", () => {
  it("carries no LOCAL_MODE and the production DEV_PROVIDER", () => {
    const built = JSON.parse(readFileSync(path.join(root, "build/server/wrangler.json"), "utf8")) as {
      vars: Record<string, string>;
    };
    expect(built.vars).not.toHaveProperty("LOCAL_MODE");
    expect(built.vars.DEV_PROVIDER).toBe("off");
  });

  it("refuses the same loopback upstream, serves no dev mailbox and lists no dev/* model", async () => {
    const fake = await startFakeOpenAI();
    cleanups.push(() => fake.close());
    const stateDir = mkdtempSync(path.join(tmpdir(), "botmara-deployed-"));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const vars = {
      MASTER_KEY: "ZGVwbG95ZWQtbWFzdGVyLWtleS0zMi1ieXRlcy0hISE=",
      OPENAI_BASE_URL: `${fake.url}/v1`,
      OPENAI_API_KEY: FAKE_OPENAI_KEY,
    };
    // A key created locally on the same state (a deployed Worker sends real mail at signup; no network here).
    let key = "";
    const seeding = await startServer({
      port: await freePort(),
      quiet: true,
      persistDir: stateDir,
      vars,
      prepare: async (mf, origin) => {
        const signup = await mf.dispatchFetch(`${origin}/api/auth/signup`, {
          method: "POST",
          headers: { "content-type": "application/json", origin },
          body: JSON.stringify({ email: "deployed@example.com", password: "a long enough password" }),
        });
        const cookie = (signup.headers.get("set-cookie") ?? "").split(";")[0]!;
        const created = await mf.dispatchFetch(`${origin}/api/keys`, {
          method: "POST",
          headers: { "content-type": "application/json", origin, cookie },
          body: JSON.stringify({ name: "k" }),
        });
        key = ((await created.json()) as { key: string }).key;
      },
    });
    await seeding.close();

    const deployed = await startServer({
      port: await freePort(),
      quiet: true,
      persistDir: stateDir,
      vars,
      local: false,
    });
    cleanups.push(() => deployed.close());
    const at = (p: string, init?: RequestInit) =>
      deployed.mf.dispatchFetch(`https://botmara.example${p}`, init as never);
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };

    const refused = await at("/v1/chat/completions", {
      method: "POST",
      headers,
      body: chat("openai/gpt-4o-mini"),
    });
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(refused.status).toBe(503);
    expect(body.error.code).toBe("insecure_upstream");
    expect(body.error.message).toContain("OPENAI_BASE_URL");

    expect((await at("/dev/mailbox?format=json")).status).toBe(404);
    const local = await deployed.mf.dispatchFetch(`http://localhost/dev/mailbox`, { redirect: "manual" });
    expect(local.status).toBe(308);
    const models = (await (await at("/v1/models", { headers })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toContain("openai/gpt-4o-mini");
    expect(models.data.filter((m) => m.id.startsWith("dev/"))).toEqual([]);
    const dev = await at("/v1/chat/completions", { method: "POST", headers, body: chat("dev/echo") });
    await dev.arrayBuffer();
    expect(dev.status).toBe(404);
  });
});
