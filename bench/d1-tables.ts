// What a SQLite database file holds, per table (its rows and the pages of the table and its indexes), so a
// bench can say which table a growth comes from. D1 under Miniflare refuses dbstat and the page pragmas, so the
// file (and its WAL) is copied aside and read with the sqlite3 command-line tool, when the machine has it;
// without it, only row counts are reported (read through the binding).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { D1Database } from "@cloudflare/workers-types/experimental";

type TableFigures = { rows: number; bytes: number };
export type FileFigures = {
  /** Per table: rows, and the bytes of the pages its b-tree and its indexes' b-trees use (null without sqlite3). */
  tables: Record<string, TableFigures>;
  /** Pages on the free list (space a later write reuses), bytes; null without sqlite3. */
  freeBytes: number | null;
};

function sqlite3(file: string, sql: string): string[][] {
  const out = execFileSync("sqlite3", ["-readonly", "-separator", "\t", file, sql], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t"));
}

let hasSqlite3: boolean | undefined;
function sqlite3Available(): boolean {
  if (hasSqlite3 === undefined) {
    try {
      execFileSync("sqlite3", ["-version"], { stdio: "ignore" });
      hasSqlite3 = true;
    } catch {
      hasSqlite3 = false;
    }
  }
  return hasSqlite3;
}

/** Rows per table through the binding (every table but SQLite's and Cloudflare's own). */
async function rowCounts(db: D1Database): Promise<Record<string, number>> {
  const { results } = await db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    )
    .all<{ name: string }>();
  const counts: Record<string, number> = {};
  for (const { name } of results) {
    const row = await db.prepare(`SELECT count(*) AS n FROM "${name}"`).first<{ n: number }>();
    counts[name] = row?.n ?? 0;
  }
  return counts;
}

/** The pages of each table with its indexes, and the free list, read from a copy of the file and its WAL. */
function pageBytes(file: string): { tables: Record<string, number>; free: number } | undefined {
  if (!sqlite3Available()) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), "botmara-dbstat-"));
  try {
    const copy = path.join(dir, "db.sqlite");
    copyFileSync(file, copy);
    try {
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    } catch (error) {
      // Checkpointed and removed meanwhile: the file alone is the database.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const tables: Record<string, number> = {};
    for (const [name, bytes] of sqlite3(
      copy,
      `SELECT coalesce(m.tbl_name, s.name), sum(s.pgsize) FROM dbstat s
       LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1`,
    ))
      tables[name!] = Number(bytes);
    const [[free] = []] = sqlite3(
      copy,
      "SELECT (SELECT freelist_count FROM pragma_freelist_count) * (SELECT page_size FROM pragma_page_size)",
    );
    return { tables, free: Number(free) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function fileFigures(db: D1Database, file: string): Promise<FileFigures> {
  const counts = await rowCounts(db);
  const pages = pageBytes(file);
  const tables: Record<string, TableFigures> = {};
  for (const name of new Set([...Object.keys(counts), ...Object.keys(pages?.tables ?? {})])) {
    if (name.startsWith("sqlite_") || name.startsWith("_cf_")) continue;
    tables[name] = { rows: counts[name] ?? 0, bytes: pages?.tables[name] ?? 0 };
  }
  return { tables, freeBytes: pages ? pages.free : null };
}

/** Per table, what grew between two readings (only the tables that changed), largest first. */
export function tableGrowth(
  before: FileFigures,
  after: FileFigures,
): Record<string, { rows: number; bytes: number }> {
  const grown = Object.entries(after.tables)
    .map(([name, a]) => {
      const b = before.tables[name] ?? { rows: 0, bytes: 0 };
      return [name, { rows: a.rows - b.rows, bytes: a.bytes - b.bytes }] as const;
    })
    .filter(([, g]) => g.rows !== 0 || g.bytes !== 0)
    .sort((x, y) => y[1].bytes - x[1].bytes);
  return Object.fromEntries(grown);
}
