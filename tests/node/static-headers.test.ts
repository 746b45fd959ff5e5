// Static assets skip the Worker, so public/_headers must give them the same security headers it sets.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, HSTS, SECURITY_HEADERS } from "#worker/security/headers";

function rulesFor(pattern: string): Map<string, string> {
  const text = readFileSync(path.resolve("public/_headers"), "utf8");
  const rules = new Map<string, string>();
  let current: string | null = null;
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trim().startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      current = line.trim();
      continue;
    }
    if (current !== pattern) continue;
    const at = line.indexOf(":");
    rules.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return rules;
}

describe("static assets (public/_headers)", () => {
  it("carry every security header the Worker sets, with the same values", () => {
    const rules = rulesFor("/*");
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(rules.get(name), name).toBe(value);
    expect(rules.get("Content-Security-Policy")).toBe(contentSecurityPolicy());
    expect(rules.get("Strict-Transport-Security")).toBe(HSTS);
  });
});
