// The systems the benchmark compares, each started in-process or as a child process on loopback:
// our built Worker under workerd (as `npm start` serves it), a bare forwarding Worker, and the Portkey peer.
import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { startServer } from "../scripts/server";

export type Target = {
  name: string;
  /** Base URL to which `/v1/chat/completions` is appended. */
  url: string;
  headers: Record<string, string>;
  /** Served by a workerd below this process (its CPU is counted per request). */
  workerd?: boolean;
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

/**
 * The runtime's ceiling: a six-line Worker that forwards to the upstream, under workerd via Miniflare's API.
 * `withAssets` gives it our build's static assets and their routing (`[assets]`, run_worker_first for /v1), as
 * ours has: every request then passes Cloudflare's asset router before the Worker, as it does in ours.
 */
export async function bareWorker(
  port: number,
  fakeUrl: string,
  platformKey: string,
  { withAssets = false } = {},
): Promise<Target> {
  const assets = withAssets
    ? unstable_getMiniflareWorkerOptions(path.join(root, "build/server/wrangler.json")).workerOptions.assets
    : undefined;
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
    ...(assets ? { assets } : {}),
    port,
    host: "127.0.0.1",
    cf: false,
    log: new Log(LogLevel.ERROR),
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return {
    name: withAssets ? "bare Worker + our assets router" : "bare forwarding Worker",
    url,
    headers: {},
    workerd: true,
    close: () => mf.dispose(),
  };
}

export type Ours = Target & {
  cookie: string;
  origin: string;
  accountId: string;
  /** D1's logical size (page count × page size), bytes. */
  d1Bytes: () => Promise<number>;
  /** Record bytes of the account's rows per table (usage_events since `since`). */
  rowBytes: (since: number) => Promise<Record<string, { rows: number; bytes: number }>>;
  /** What one UTC hour keeps past the raw retention (its aggregates and ledger entry), and its requests. */
  hourKept: (hour: number) => Promise<{ bytes: number; requests: number }>;
};

/**
 * A SQLite file's logical size, as `PRAGMA page_count` × `page_size` would give it (D1 refuses both pragmas and
 * dbstat under Miniflare): the header's page count, or — in WAL mode — the size recorded by the WAL's last
 * committed frame of the current WAL generation (its salts match the WAL header).
 */
export function sqliteLogicalBytes(file: string): number {
  const header = Buffer.alloc(100);
  const fd = openSync(file, "r");
  try {
    readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  let pageSize = header.readUInt16BE(16);
  if (pageSize === 1) pageSize = 65_536;
  // The in-header size is valid only when "version-valid-for" equals the change counter.
  let pages =
    header.readUInt32BE(92) === header.readUInt32BE(24)
      ? header.readUInt32BE(28)
      : Math.ceil(statSync(file).size / pageSize);
  const walFile = `${file}-wal`;
  // An object's WAL may be checkpointed and removed between the check and the read: then the file is the size.
  let wal: Buffer | undefined;
  try {
    wal = existsSync(walFile) && statSync(walFile).size > 32 ? readFileSync(walFile) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (wal) {
    const walPage = wal.readUInt32BE(8);
    const salt1 = wal.readUInt32BE(16);
    const salt2 = wal.readUInt32BE(20);
    for (let at = 32; at + 24 + walPage <= wal.length; at += 24 + walPage) {
      if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
      const committed = wal.readUInt32BE(at + 4);
      if (committed > 0) pages = committed;
    }
  }
  return pages * pageSize;
}

export function sqliteFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sqliteFiles(p) : p.endsWith(".sqlite") ? [p] : [];
  });
}

/** A value's size in a SQLite record: its serial-type byte plus its body (integers take 0–8 bytes). */
export function recordBytes(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return 9;
    const a = Math.abs(value);
    const body =
      a <= 1 ? 0 : a < 128 ? 1 : a < 32_768 ? 2 : a < 8_388_608 ? 3 : a < 2 ** 31 ? 4 : a < 2 ** 47 ? 6 : 8;
    return 1 + body;
  }
  return 1 + Buffer.byteLength(String(value));
}

/** Our built Worker with auth, rate limit, credit reservation and metering all on. */
export async function ours(
  port: number,
  vars: Record<string, string>,
  options: { inspectorPort?: number; buildDir?: string } = {},
): Promise<Ours> {
  const persistDir = mkdtempSync(path.join(tmpdir(), "botmara-bench-"));
  const server = await startServer({
    port,
    quiet: true,
    persistDir,
    ...options,
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
    workerd: true,
    cookie,
    origin,
    accountId: account.id,
    d1Bytes: async () =>
      sqliteFiles(path.join(persistDir, "d1")).reduce((n, f) => n + sqliteLogicalBytes(f), 0),
    hourKept: async (hour) => {
      const rows = async (sql: string, ...binds: unknown[]) =>
        (
          await db
            .prepare(sql)
            .bind(...binds)
            .all<Record<string, unknown>>()
        ).results;
      const hourly = await rows(
        "SELECT * FROM usage_hourly WHERE account_id = ? AND hour = ?",
        account.id,
        hour,
      );
      const ledger = await rows(
        "SELECT * FROM credit_ledger WHERE account_id = ? AND reference = ?",
        account.id,
        `usage:${hour}`,
      );
      const bytes = [...hourly, ...ledger].reduce(
        (n, r) => n + 1 + Object.values(r).reduce<number>((m, v) => m + recordBytes(v), 0),
        0,
      );
      return { bytes, requests: hourly.reduce((n, r) => n + Number(r.requests), 0) };
    },
    rowBytes: async (since) => {
      const tables: [string, string, unknown[]][] = [
        ["usage_events", "account_id = ? AND created_at >= ?", [account.id, since]],
        ["usage_hourly", "account_id = ?", [account.id]],
        ["credit_ledger", "account_id = ?", [account.id]],
        ["credit_flushes", "1 = 1", []],
      ];
      const out: Record<string, { rows: number; bytes: number }> = {};
      for (const [table, where, binds] of tables) {
        const { results } = await db
          .prepare(`SELECT * FROM ${table} WHERE ${where}`)
          .bind(...binds)
          .all<Record<string, unknown>>();
        out[table] = {
          rows: results.length,
          bytes: results.reduce(
            (n, r) => n + 1 + Object.values(r).reduce<number>((m, v) => m + recordBytes(v), 0),
            0,
          ),
        };
      }
      return out;
    },
    close: async () => {
      await server.close();
      rmSync(persistDir, { recursive: true, force: true });
    },
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
