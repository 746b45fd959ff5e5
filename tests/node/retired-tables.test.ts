// Tables the code stopped writing and a later contract migration drops (ADR 070, 090): usage_events (legacy
// per-request rows, read only for export, erasure and retention until its last row is 90 days old), and
// usage_flushes / credit_flushes (per-flush ids, replaced by each account's flush marks; read only to settle a
// flush an object saved before the marks). No code under worker/, app/ or scripts/ may write them again.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

/** The retired tables and what writing each looks like, in SQL or through drizzle. */
const RETIRED = {
  usage_events:
    /\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|REPLACE\s+INTO)\s+[`"]?usage_events\b|\.(insert|update)\(\s*usageEvents\b/i,
  usage_flushes:
    /\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|REPLACE\s+INTO)\s+[`"]?usage_flushes\b|\.(insert|update)\(\s*usageFlushes\b/i,
  credit_flushes:
    /\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|REPLACE\s+INTO)\s+[`"]?credit_flushes\b|\.(insert|update)\(\s*creditFlushes\b/i,
};

describe("retired tables", () => {
  const files = ["worker", "app", "scripts"].flatMap((d) => sources(path.join(root, d)));

  it("are written by no code (only read for their old rows until a contract migration drops them)", () => {
    const writers = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return Object.entries(RETIRED)
        .filter(([, pattern]) => pattern.test(text))
        .map(([table]) => `${path.relative(root, file)} writes ${table}`);
    });
    expect(writers).toEqual([]);
  });

  it("would be caught: the pattern sees an insert and a drizzle write", () => {
    expect(RETIRED.usage_events.test("INSERT INTO usage_events (id) VALUES (?)")).toBe(true);
    expect(RETIRED.usage_events.test("db.insert(usageEvents).values(row)")).toBe(true);
    expect(RETIRED.credit_flushes.test('d1.prepare("INSERT INTO credit_flushes (id) VALUES (?)")')).toBe(
      true,
    );
    expect(RETIRED.usage_events.test("DELETE FROM usage_events WHERE created_at < ?")).toBe(false);
  });
});
