// Where content lives in R2 and how it expires: keys that nothing can steer out of their prefix, parsed back
// exactly, and one lifecycle rule per retention class (plus exports) whose ages are the classes' days.
import { describe, expect, it } from "vitest";
import {
  classPrefix,
  contentObjectKey,
  EXPORTS_PREFIX,
  lifecycleRecord,
  lifecycleRules,
  parseContentObjectKey,
  retentionClasses,
} from "#worker/content/layout";

const at = new Date("2026-12-06T23:59:59.999Z");

describe("contentObjectKey", () => {
  it("is content/<N>d/<account>/<day>/<request>", () => {
    expect(contentObjectKey(7, "acct_1", at, "req-1")).toBe("content/7d/acct_1/2026-12-06/req-1");
  });

  it.each([
    ["a slash", "a/b", "a_b"],
    ["dot-dot", "../x", "___x"],
    ["spaces and unicode", "é x", "__x"],
    ["nothing", "", "_"],
  ])("never lets %s steer the key", (_what, id, segment) => {
    const key = contentObjectKey(30, id, at, id);
    expect(key).toBe(`content/30d/${segment}/2026-12-06/${segment}`);
    expect(key.split("/")).toHaveLength(5);
  });

  it("cuts a segment at 128 characters", () => {
    const key = contentObjectKey(1, "a".repeat(200), at, "r");
    expect(key.split("/")[2]).toHaveLength(128);
  });

  it("round-trips through parseContentObjectKey for every class", () => {
    for (const days of retentionClasses) {
      const key = contentObjectKey(days, "acct", at, "req");
      expect(parseContentObjectKey(key)).toEqual({
        days,
        accountId: "acct",
        date: "2026-12-06",
        requestId: "req",
      });
    }
  });
});

describe("parseContentObjectKey", () => {
  it.each([
    ["a class that does not exist", "content/2d/acct/2026-12-06/req"],
    ["no day", "content/7d/acct/req"],
    ["a malformed day", "content/7d/acct/2026-12-6/req"],
    ["another prefix", "exports/acct/2026-12-06/req"],
    ["an extra segment", "content/7d/acct/2026-12-06/req/x"],
    ["a leading slash", "/content/7d/acct/2026-12-06/req"],
  ])("refuses %s", (_what, key) => {
    expect(parseContentObjectKey(key)).toBeNull();
  });
});

describe("lifecycleRules", () => {
  const { rules } = lifecycleRules();

  it("has one rule per retention class and one for exports", () => {
    expect(rules.map((r) => r.id)).toEqual([...retentionClasses.map((d) => `content-${d}d`), "exports"]);
    expect(rules.map((r) => r.conditions.prefix)).toEqual([
      ...retentionClasses.map(classPrefix),
      EXPORTS_PREFIX,
    ]);
    expect(rules.every((r) => r.enabled)).toBe(true);
  });

  it("expires each class after exactly its days, exports after 4, unfinished uploads after 1", () => {
    const ages = rules.map((r) => r.deleteObjectsTransition.condition);
    expect(ages).toEqual([
      ...retentionClasses.map((d) => ({ type: "Age", maxAge: d * 86_400 })),
      { type: "Age", maxAge: 4 * 86_400 },
    ]);
    for (const r of rules)
      expect(r.abortMultipartUploadsTransition.condition).toEqual({ type: "Age", maxAge: 86_400 });
  });

  it("is recorded with when and by what it was set", () => {
    expect(lifecycleRecord(at, "deploy")).toEqual({ setAt: at.toISOString(), setBy: "deploy", rules });
    expect(lifecycleRecord(at, "local", []).rules).toEqual([]);
  });
});
