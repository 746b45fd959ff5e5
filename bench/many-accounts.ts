// `npm run bench:scale`: many accounts and keys against the built Worker as `npm start -- --fakes` serves it
// (workerd under Miniflare, local persistence, the fake OpenAI upstream): 200 accounts with 5 keys each
// (1,000 keys), then three waves of 7,000 chat completions (21,000) at 32 connections, each on a random key and a
// connection of its own. Smaller while developing: `-- --accounts=20 --keys=5 --per-wave=500 --waves=3
// --connections=32` (and `--port=N`, `--no-build`). After each wave every account's usage and ledger are read
// (which flushes the objects' buffers first), and it reports: workerd's resident memory (it must level off) and
// CPU per request, the Worker's stage times (Server-Timing) and where it read the key and the credit, failures
// by status and cause, D1's growth per request — the file's, per table (bench/d1-tables.ts), and the record
// bytes of what grows with requests (the hourly aggregates and the ledger) — the account objects' SQLite and
// R2's bytes per request, the isolate's calls to account objects per request and per account-second, and that
// the usage adds up to exactly the requests served. Heavy: run it alone, under nice.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../scripts/ports";
import { startServer } from "../scripts/server";
import { FAKE_OPENAI_KEY, startFakeOpenAI } from "../tests/fakes/openai";
import { TIMING_REQUEST_HEADER } from "../worker/ai/timing";
import { HOUR_MS } from "../worker/time";
import { workerdCpu, workerdRssMb } from "./cpu";
import { fileFigures, tableGrowth } from "./d1-tables";
import { recordBytes, sqliteFiles, sqliteLogicalBytes } from "./targets";

const root = path.resolve(import.meta.dirname, "..");
/** `--name=value` from the command line (`npm run bench:scale -- --accounts=20`), else the default. */
function flag(name: string, fallback: number): number {
  const given = process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = Number(given ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a positive integer`);
  return value;
}
const ACCOUNTS = flag("accounts", 200);
const KEYS_PER_ACCOUNT = flag("keys", 5);
const WAVES = flag("waves", 3);
const PER_WAVE = flag("per-wave", 7_000);
const CONNECTIONS = flag("connections", 32);
/** The server's port (default: any free one). */
const PORT = process.argv.find((a) => a.startsWith("--port="))?.split("=")[1];

type Account = { id: string; cookie: string; keys: string[] };

const body = JSON.stringify({
  model: "openai/gpt-4o-mini",
  max_tokens: 16,
  messages: [{ role: "user", content: "Say hello to the many accounts." }],
});

/** A fetch retried on a dropped connection (workerd may close an idle keep-alive socket as it is reused). */
async function fetchRetried(url: string, init?: RequestInit, tries = 4): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/**
 * One POST of the chat body on a connection of its own. The waves do not reuse kept-alive sockets: with Node's
 * fetch, a socket the server closed after its keep-alive idle time was sometimes reused at that moment, and the
 * request failed before reaching the Worker ("other side closed", ECONNRESET; 3 % of a wave under load, and
 * likely the 484 "not ok" of the first full run). A fresh loopback connection costs far less than a request here.
 */
function postFresh(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; text: string; timing: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString("utf8"),
          timing: String(res.headers["server-timing"] ?? ""),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `n` tasks, at most `width` at a time. */
async function pool<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

async function main() {
  if (!process.argv.includes("--no-build")) {
    console.info("Building…");
    execFileSync(path.join(root, "node_modules/.bin/react-router"), ["build"], {
      cwd: root,
      stdio: "ignore",
    });
  }
  const runStarted = performance.now();
  const fake = await startFakeOpenAI();
  const persistDir = mkdtempSync(path.join(tmpdir(), "botmara-scale-"));
  const server = await startServer({
    port: PORT ? Number(PORT) : await freePort(),
    quiet: true,
    persistDir,
    vars: {
      MASTER_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
      OPENAI_BASE_URL: `${fake.url}/v1`,
      OPENAI_API_KEY: FAKE_OPENAI_KEY,
      DEV_PROVIDER: "off",
      AI_RATE_LIMIT_RPM: "100000",
      ACCESS_LOG_SAMPLE_RATE: "0",
      AUTH_LIMITS: JSON.stringify({ signupPerAddress: { limit: 100_000, windowSeconds: 3600 } }),
    },
  });
  const origin = server.url;
  const db = await server.mf.getD1Database("DB");
  const bucket = await server.mf.getR2Bucket("CONTENT");
  try {
    // 1. Accounts, keys and credit.
    console.info(`Creating ${ACCOUNTS} accounts with ${KEYS_PER_ACCOUNT} keys each…`);
    const setupStarted = performance.now();
    const accounts = await pool(ACCOUNTS, 8, async (i): Promise<Account> => {
      // A lost answer may have created the account: each try signs up a new address.
      let res: Response | undefined;
      for (let attempt = 0; attempt < 4 && res?.status !== 201; attempt++) {
        res = await fetchRetried(
          `${origin}/api/auth/signup`,
          {
            method: "POST",
            headers: {
              origin,
              "content-type": "application/json",
              "cf-connecting-ip": `198.18.${i >> 8}.${i & 255}`,
            },
            body: JSON.stringify({
              email: `scale-${i}-${attempt}-${Date.now()}@example.com`,
              password: "scale-password-123",
            }),
          },
          1,
        ).catch(() => undefined);
      }
      if (res?.status !== 201) throw new Error(`signup ${i} failed`);
      const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
      const { account } = (await res.json()) as { account: { id: string } };
      const keys: string[] = [];
      for (let k = 0; k < KEYS_PER_ACCOUNT; k++) {
        const created = await fetchRetried(`${origin}/api/keys`, {
          method: "POST",
          headers: { origin, cookie, "content-type": "application/json" },
          body: JSON.stringify({ name: `key ${k}` }),
        });
        keys.push(((await created.json()) as { key: string }).key);
      }
      // One request opens the billing row; then credit for the whole run.
      await (
        await fetchRetried(`${origin}/v1/models`, { headers: { authorization: `Bearer ${keys[0]}` } })
      ).arrayBuffer();
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
      return { id: account.id, cookie, keys };
    });
    const keys = accounts.flatMap((a, i) => a.keys.map((key) => ({ key, account: i })));

    /** Every account's usage and ledger read: each read flushes the account object's buffers first. */
    const settle = async () => {
      await pool(accounts.length, 8, async (i) => {
        const a = accounts[i]!;
        await (
          await fetchRetried(`${origin}/api/usage?groupBy=model`, { headers: { cookie: a.cookie } })
        ).arrayBuffer();
        await (await fetchRetried(`${origin}/api/billing`, { headers: { cookie: a.cookie } })).arrayBuffer();
      });
    };
    const tableBytes = async (table: string) => {
      const { results } = await db.prepare(`SELECT * FROM ${table}`).all<Record<string, unknown>>();
      return results.reduce(
        (n, r) => n + 1 + Object.values(r).reduce<number>((m, v) => m + recordBytes(v), 0),
        0,
      );
    };
    const d1File = () =>
      sqliteFiles(path.join(persistDir, "d1")).sort((x, y) => statSync(y).size - statSync(x).size)[0]!;
    const d1Bytes = () => sqliteLogicalBytes(d1File());
    const doBytes = () =>
      sqliteFiles(path.join(persistDir, "do")).reduce((n, f) => n + sqliteLogicalBytes(f), 0);
    const r2Bytes = async (prefix: string) => {
      let total = 0;
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, cursor });
        total += page.objects.reduce((n, o) => n + o.size, 0);
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return total;
    };
    const meter = async () => {
      const res = await fetchRetried(`${origin}/v1/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${keys[0]!.key}`,
          [TIMING_REQUEST_HEADER]: "1",
        },
        body,
      });
      await res.arrayBuffer();
      const [calls, rows] = (/meter;desc=(\d+)\/(\d+)/.exec(res.headers.get("server-timing") ?? "") ?? [])
        .slice(1)
        .map(Number);
      return { calls: calls ?? 0, rows: rows ?? 0 };
    };
    const snapshot = async () => ({
      at: Date.now(),
      rssMb: workerdRssMb(),
      d1: d1Bytes(),
      kept: (await tableBytes("usage_hourly")) + (await tableBytes("credit_ledger")),
      d1Tables: await fileFigures(db, d1File()),
      objects: doBytes(),
      r2Log: await r2Bytes("request-log/"),
      meter: await meter(),
    });

    await settle();
    const setupSeconds = Math.round((performance.now() - setupStarted) / 1000);
    const start = await snapshot();
    console.info(`Start: workerd ${start.rssMb} MB, D1 ${start.d1} B`);
    const waves: {
      requests: number;
      ok: number;
      seconds: number;
      rps: number;
      settleSeconds: number;
      rssMb: number;
      cpuMsPerRequest: number;
      perRequest: Record<string, number>;
      failures: Record<string, number>;
      d1BytesPerRequest: number;
      keptBytesPerRequest: number;
      d1TableBytesPerRequest: Record<string, number>;
      d1TableRowsGrown: Record<string, number>;
      d1FreeBytes: number | null;
      objectBytesPerRequest: number;
      r2BytesPerRequest: number;
      objectCallsPerRequest: number;
      objectCallsPerAccountSecond: number;
      hour: string;
    }[] = [];
    let before = start;
    let served = 0;
    let dropped = 0;
    for (let w = 0; w < WAVES; w++) {
      const started = performance.now();
      const cpu = workerdCpu();
      const failures = new Map<string, number>();
      const stages = new Map<string, number>();
      const add = (name: string, ms: number) => stages.set(name, (stages.get(name) ?? 0) + ms);
      const statuses = await pool(PER_WAVE, CONNECTIONS, async () => {
        const { key } = keys[Math.floor(Math.random() * keys.length)]!;
        const sent = performance.now();
        try {
          const res = await postFresh(`${origin}/v1/chat/completions`, {
            "content-type": "application/json",
            authorization: `Bearer ${key}`,
            [TIMING_REQUEST_HEADER]: "1",
          });
          add("total", performance.now() - sent);
          // Where the Worker spent the request's wall time (Server-Timing), and where it read the key and credit.
          for (const [, name, dur, desc] of res.timing.matchAll(
            /(\w+)(?:;dur=([\d.]+))?(?:;desc=([\w/]+))?/g,
          )) {
            if (dur !== undefined) add(name!, Number(dur));
            if ((name === "auth" || name === "credit") && desc) add(`${name}:${desc}`, 1);
          }
          if (res.status !== 200) {
            const code = /"(?:code|type)"\s*:\s*"([^"]+)"/.exec(res.text)?.[1] ?? "?";
            failures.set(`${res.status} ${code}`, (failures.get(`${res.status} ${code}`) ?? 0) + 1);
          }
          return res.status;
        } catch (error) {
          const what = `0 ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
          failures.set(what, (failures.get(what) ?? 0) + 1);
          return 0;
        }
      });
      const seconds = (performance.now() - started) / 1000;
      const cpuMs = cpu.stop();
      const settleStarted = performance.now();
      await settle();
      const settleSeconds = Number(((performance.now() - settleStarted) / 1000).toFixed(1));
      const after = await snapshot();
      const ok = statuses.filter((s) => s === 200).length;
      served += ok + 1; // and the snapshot's probe request
      dropped += statuses.filter((s) => s === 0).length;
      const per = (x: number) => Number((x / PER_WAVE).toFixed(2));
      const calls = after.meter.calls - before.meter.calls;
      waves.push({
        requests: PER_WAVE,
        ok,
        seconds: Number(seconds.toFixed(1)),
        rps: Math.round(PER_WAVE / seconds),
        settleSeconds,
        rssMb: after.rssMb,
        cpuMsPerRequest: Number((cpuMs / PER_WAVE).toFixed(2)),
        /** Mean ms per request of each stage (total = as the client saw it), and how often auth/credit went where. */
        perRequest: Object.fromEntries(
          [...stages].map(([name, v]) => [name, Number((v / PER_WAVE).toFixed(name.includes(":") ? 3 : 1))]),
        ),
        failures: Object.fromEntries(failures),
        d1BytesPerRequest: per(after.d1 - before.d1),
        keptBytesPerRequest: per(after.kept - before.kept),
        d1TableBytesPerRequest: Object.fromEntries(
          Object.entries(tableGrowth(before.d1Tables, after.d1Tables)).map(([t, g]) => [t, per(g.bytes)]),
        ),
        d1TableRowsGrown: Object.fromEntries(
          Object.entries(tableGrowth(before.d1Tables, after.d1Tables)).map(([t, g]) => [t, g.rows]),
        ),
        d1FreeBytes: after.d1Tables.freeBytes,
        objectBytesPerRequest: per(after.objects - before.objects),
        r2BytesPerRequest: per(after.r2Log - before.r2Log),
        objectCallsPerRequest: Number((calls / PER_WAVE).toFixed(3)),
        objectCallsPerAccountSecond: Number((calls / ACCOUNTS / seconds).toFixed(2)),
        hour: new Date(Math.floor(after.at / HOUR_MS) * HOUR_MS).toISOString(),
      });
      console.info(`Wave ${w + 1}: ${JSON.stringify(waves.at(-1))}`);
      before = after;
    }
    // Exactness: the usage the accounts see adds up to every request served (waves and probes).
    const { results } = await db
      .prepare("SELECT coalesce(sum(requests), 0) AS n FROM usage_hourly")
      .all<{ n: number }>();
    const metered = Number(results[0]?.n ?? 0);
    const combos = await db.prepare("SELECT count(*) AS n FROM usage_hourly").first<{ n: number }>();
    const keptPerCombo =
      Math.round(((await tableBytes("usage_hourly")) / Math.max(1, combos?.n ?? 1)) * 10) / 10;
    const rss = [start.rssMb, ...waves.map((w) => w.rssMb)];
    const growth = rss.slice(1).map((r, i) => r - rss[i]!);
    const summary = {
      /** Wall time: creating the accounts and keys, then the whole run (on a busy machine both stretch). */
      setupSeconds,
      runSeconds: Math.round((performance.now() - runStarted) / 1000),
      accounts: ACCOUNTS,
      keys: keys.length,
      requests: PER_WAVE * WAVES,
      served,
      metered,
      /** Connections dropped before an answer (their request may or may not have been served). */
      dropped,
      usageExact: metered >= served && metered <= served + dropped,
      workerdRssMb: rss,
      rssGrowthPerWaveMb: growth,
      levelsOff: growth.length >= 2 && growth.at(-1)! <= Math.max(8, growth[0]! / 2),
      waves,
      usageHourlyRows: combos?.n ?? 0,
      usageHourlyBytesPerRow: keptPerCombo,
      /** D1 bytes per request once the hour's rows exist (the last wave's kept-table growth): must be ≤ 0.5. */
      d1MarginalBytesPerRequest: waves.at(-1)!.keptBytesPerRequest,
      sameHour: new Set(waves.map((w) => w.hour)).size === 1,
    };
    console.info(`MANY_ACCOUNTS ${JSON.stringify(summary)}`);
  } finally {
    await server.close();
    await fake.close();
    rmSync(persistDir, { recursive: true, force: true });
  }
}

await main();
