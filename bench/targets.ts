// The systems the benchmark compares, each started in-process or as a child process on loopback:
// our built Worker under workerd (as `npm start` serves it), a bare forwarding Worker, and the Portkey peer.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { startServer } from "../scripts/server";

export type Target = {
  name: string;
  /** Base URL to which `/v1/chat/completions` is appended. */
  url: string;
  headers: Record<string, string>;
  close: () => Promise<void>;
};

const root = path.resolve(import.meta.dirname, "..");

/** The fake provider itself: the floor every proxy is measured against. */
export function direct(fakeUrl: string, platformKey: string): Target {
  return {
    name: "direct (fake upstream)",
    url: fakeUrl,
    headers: { authorization: `Bearer ${platformKey}` },
    close: async () => {},
  };
}

/** The runtime's ceiling: a six-line Worker that forwards to the upstream, under workerd via Miniflare's API. */
export async function bareWorker(port: number, fakeUrl: string, platformKey: string): Promise<Target> {
  const mf = new Miniflare({
    modules: true,
    script: `export default {
      async fetch(request, env) {
        const url = new URL(request.url);
        const headers = { "content-type": "application/json", authorization: "Bearer " + env.KEY };
        return fetch(env.UPSTREAM + url.pathname, { method: "POST", headers, body: request.body });
      },
    };`,
    bindings: { UPSTREAM: fakeUrl, KEY: platformKey },
    compatibilityDate: "2026-04-01",
    port,
    host: "127.0.0.1",
    cf: false,
    log: new Log(LogLevel.ERROR),
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return { name: "bare forwarding Worker", url, headers: {}, close: () => mf.dispose() };
}

export type Ours = Target & { cookie: string; origin: string; accountId: string };

/** Our built Worker with auth, rate limit, credit reservation and metering all on. */
export async function ours(port: number, vars: Record<string, string>): Promise<Ours> {
  const server = await startServer({
    port,
    quiet: true,
    persistDir: mkdtempSync(path.join(tmpdir(), "botmara-bench-")),
    vars: {
      MASTER_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
      AI_RATE_LIMIT_RPM: "100000",
      DEV_PROVIDER: "off",
      ...vars,
    },
  });
  const origin = server.url;
  const call = async (p: string, body: unknown, cookie?: string) =>
    fetch(`${origin}${p}`, {
      method: "POST",
      headers: { origin, "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  const signup = await call("/api/auth/signup", {
    email: `bench-${Date.now()}@example.com`,
    password: "bench-password-123",
  });
  if (signup.status !== 201) throw new Error(`bench signup failed: ${signup.status}`);
  const cookie = (signup.headers.get("set-cookie") ?? "").split(";")[0]!;
  const { account } = (await signup.json()) as { account: { id: string } };
  const created = await call("/api/keys", { name: "bench" }, cookie);
  const { key } = (await created.json()) as { key: string };
  // One request opens the account's billing row (with its trial credit); then credit enough for the whole run.
  await (await fetch(`${origin}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer();
  const db = await server.mf.getD1Database("DB");
  await db
    .prepare(
      "INSERT INTO billing_accounts (account_id, balance_micros, created_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING",
    )
    .bind(account.id, Date.now())
    .run();
  await db
    .prepare(
      "INSERT INTO credit_ledger (id, account_id, kind, amount_micros, reason, reference, created_at) VALUES (?, ?, 'adjustment', ?, 'bench credit', 'bench', ?)",
    )
    .bind(crypto.randomUUID(), account.id, 1_000_000_000, Date.now())
    .run();
  return {
    name: "ours (auth + rate limit + credit + metering)",
    url: origin,
    headers: { authorization: `Bearer ${key}` },
    cookie,
    origin,
    accountId: account.id,
    close: () => server.close(),
  };
}

/** The peer gateway on Node, routed to the same fake upstream. */
export async function portkey(port: number, fakeUrl: string, platformKey: string): Promise<Target> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(root, "node_modules/@portkey-ai/gateway/build/start-server.js"),
      `--port=${port}`,
      "--headless",
    ],
    { stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    name: "@portkey-ai/gateway (Node)",
    url,
    headers: {
      authorization: `Bearer ${platformKey}`,
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": `${fakeUrl}/v1`,
    },
    close: async () => {
      child.kill();
    },
  };
}
