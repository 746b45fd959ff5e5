// Serves the built Worker under workerd through Miniflare's API (no dev proxy in front), with local
// persistence, migrations applied and cron ticking. Used by `npm start`, the e2e tests and the benchmark.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";

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
};

export type RunningServer = {
  url: string;
  mf: Miniflare;
  close: () => Promise<void>;
  runCron: () => Promise<void>;
};

const root = path.resolve(import.meta.dirname, "..");
const buildDir = path.join(root, "build", "server");

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

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const configPath = path.join(buildDir, "wrangler.json");
  if (!existsSync(configPath)) throw new Error("No build found: run `npx react-router build` first.");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath);
  const modules = listModules(buildDir).sort(
    (a, b) => Number(b.endsWith("index.js")) - Number(a.endsWith("index.js")),
  );
  const persist = options.persistDir
    ? {
        d1Persist: path.join(options.persistDir, "d1"),
        r2Persist: path.join(options.persistDir, "r2"),
        durableObjectsPersist: path.join(options.persistDir, "do"),
      }
    : {};
  const mf = new Miniflare({
    ...workerOptions,
    ...persist,
    cf: false, // no Request.cf download: a local run needs no network at all
    host: options.host ?? "127.0.0.1",
    port: options.port,
    log: new Log(options.quiet ? LogLevel.ERROR : LogLevel.INFO),
    modulesRoot: buildDir,
    modules: modules.map((p) => ({ type: "ESModule" as const, path: p })),
    bindings: { ...(workerOptions.bindings ?? {}), ...(options.vars ?? {}) },
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = (await mf.ready).toString().replace(/\/$/, "");
  await applyMigrations((await mf.getD1Database("DB")) as unknown as D1Database);

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
    },
  };
}
