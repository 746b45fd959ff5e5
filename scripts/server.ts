// Serves the built Worker under workerd through Miniflare's API (no dev proxy in front), with local
// persistence and cron ticking. Ready before it listens: migrations (and any `prepare`, e.g. the demo seed)
// run on a private instance first, so the first request on the port already finds every table, and the
// lifecycle record the deploy would write (deploy/lifecycle.json) is in the bucket.
// Used by `npm start`, the e2e tests and the benchmark.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { DEPLOYED_LIFECYCLE_KEY, lifecycleRecord } from "../worker/content/layout";

export type ServerOptions = {
  port: number;
  host?: string;
  /** Extra vars and secrets for the Worker (override wrangler.toml's). */
  vars?: Record<string, string>;
  /** Folder for D1, R2 and Durable Object state; undefined keeps everything in memory. */
  persistDir?: string;
  /** Milliseconds between cron ticks; 0 disables the local cron. */
  cronIntervalMs?: number;
  quiet?: boolean;
  /**
   * Local mode (default true, what npm start and the tests serve): LOCAL_MODE=true and the dev provider on
   * "auto" unless `vars` say otherwise. false serves the committed config exactly as a deployed Worker sees it.
   */
  local?: boolean;
  /** Runs against the migrated Worker before the port opens (npm start seeds the demo account here). */
  prepare?: (mf: Miniflare, origin: string) => Promise<void>;
  /** Opens workerd's inspector (Chrome DevTools protocol) on this loopback port: `npm run bench:profile`. */
  inspectorPort?: number;
  /** The built Worker to serve (a folder like build/server); default this checkout's (bench/ab-cpu.ts serves two). */
  buildDir?: string;
};

export type RunningServer = {
  url: string;
  mf: Miniflare;
  close: () => Promise<void>;
  runCron: () => Promise<void>;
};

const root = path.resolve(import.meta.dirname, "..");
const defaultBuildDir = path.join(root, "build", "server");

function listModules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return listModules(full);
    return name.endsWith(".js") ? [full] : [];
  });
}

/** Applies db/migrations/*.sql that have not run yet, tracked in wrangler's own d1_migrations table. */
export async function applyMigrations(db: D1Database): Promise<string[]> {
  await db
    .prepare(
      "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
    )
    .run();
  const done = new Set(
    (await db.prepare("SELECT name FROM d1_migrations").all<{ name: string }>()).results.map((r) => r.name),
  );
  const dir = path.join(root, "db", "migrations");
  const pending = readdirSync(dir)
    .filter((f) => f.endsWith(".sql") && !done.has(f))
    .sort();
  for (const name of pending) {
    const statements = unstable_splitSqlQuery(readFileSync(path.join(dir, name), "utf8"))
      .map((s) => s.replaceAll("--> statement-breakpoint", "").trim())
      .filter(Boolean);
    await db.batch([
      ...statements.map((s) => db.prepare(s)),
      db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(name),
    ]);
  }
  return pending;
}

/** What a local process adds to the committed vars: local mode, and the dev provider when no key is set. */
export const LOCAL_VARS = { LOCAL_MODE: "true", DEV_PROVIDER: "auto" } as const;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const buildDir = options.buildDir ?? defaultBuildDir;
  const configPath = path.join(buildDir, "wrangler.json");
  if (!existsSync(configPath)) throw new Error("No build found: run `npx react-router build` first.");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath);
  const modules = listModules(buildDir).sort(
    (a, b) => Number(b.endsWith("index.js")) - Number(a.endsWith("index.js")),
  );
  // State lives in a folder so the serving instance sees what the private one migrated; none given: a fresh one.
  const scratch = options.persistDir ? undefined : mkdtempSync(path.join(tmpdir(), "botmara-state-"));
  const stateDir = options.persistDir ?? (scratch as string);
  const committed: Record<string, unknown> = { ...(workerOptions.bindings ?? {}) };
  delete committed.LOCAL_MODE; // never from a config file (docs/decisions/071-one-notion-of-local.md)
  const bindings = { ...committed, ...((options.local ?? true) ? LOCAL_VARS : {}), ...(options.vars ?? {}) };
  const miniflareOptions = (host: string, port: number) =>
    ({
      ...workerOptions,
      d1Persist: path.join(stateDir, "d1"),
      r2Persist: path.join(stateDir, "r2"),
      durableObjectsPersist: path.join(stateDir, "do"),
      cf: false, // no Request.cf download: a local run needs no network at all
      host,
      port,
      log: new Log(options.quiet ? LogLevel.ERROR : LogLevel.INFO),
      modulesRoot: buildDir,
      modules: modules.map((p) => ({ type: "ESModule" as const, path: p })),
      bindings,
    }) as ConstructorParameters<typeof Miniflare>[0];

  // 1. A private instance on a random loopback port: migrate, then prepare (seed). Nobody else knows its port.
  const origin = `http://localhost:${options.port}`;
  const setup = new Miniflare(miniflareOptions("127.0.0.1", 0));
  try {
    await setup.ready;
    await applyMigrations((await setup.getD1Database("DB")) as unknown as D1Database);
    // What `npm run deploy` records after setting the bucket's lifecycle rules. Miniflare has no lifecycle
    // engine (the cron sweep expires content here), so the record says it was set by the local server.
    const bucket = await setup.getR2Bucket("CONTENT");
    await bucket.put(DEPLOYED_LIFECYCLE_KEY, JSON.stringify(lifecycleRecord(new Date(), "local")), {
      httpMetadata: { contentType: "application/json" },
    });
    if (options.prepare) await options.prepare(setup, origin);
  } finally {
    await setup.dispose();
  }

  // 2. The serving instance: its port opens only now, on migrated (and seeded) state.
  const mf = new Miniflare({
    ...miniflareOptions(options.host ?? "127.0.0.1", options.port),
    ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const worker = await mf.getWorker();
  const runCron = async () => {
    await worker.scheduled({ cron: "*/5 * * * *", scheduledTime: new Date() });
  };
  const interval = options.cronIntervalMs ?? 0;
  const timer = interval > 0 ? setInterval(() => runCron().catch(() => {}), interval) : undefined;
  return {
    url,
    mf,
    runCron,
    close: async () => {
      if (timer) clearInterval(timer);
      await mf.dispose();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
