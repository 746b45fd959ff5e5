// Counts and times as people read them (worker/format.ts): separators, singular and plural, seconds only
// where rows would otherwise read alike.
import { describe, expect, it } from "vitest";
import { formatCount, formatDate, formatDateTime, formatInt, needsSeconds } from "#worker/format";

describe("formatInt and formatCount", () => {
  it.each([
    [0, "0"],
    [7, "7"],
    [999, "999"],
    [1_000, "1,000"],
    [1_234_567, "1,234,567"],
    [-12_500, "-12,500"],
  ])("%i reads %s", (n, text) => {
    expect(formatInt(n)).toBe(text);
  });

  it.each([
    [1, "file", undefined, "1 file"],
    [12, "record", undefined, "12 records"],
    [0, "request", undefined, "0 requests"],
    [1_000, "request", undefined, "1,000 requests"],
    [2, "entry", "entries", "2 entries"],
  ])("%i %s reads %s", (n, noun, plural, text) => {
    expect(formatCount(n, noun, plural)).toBe(text);
  });
});

describe("times", () => {
  const a = "2026-12-06T04:10:05.123Z";
  it("reads to the minute, or to the second when asked, always in UTC", () => {
    expect(formatDateTime(a)).toBe("2026-12-06 04:10 UTC");
    expect(formatDateTime(a, true)).toBe("2026-12-06 04:10:05 UTC");
    expect(formatDateTime(null)).toBe("—");
    expect(formatDate(a)).toBe("2026-12-06");
  });

  it.each([
    [["2026-12-06T04:10:05Z", "2026-12-06T04:11:05Z"], false],
    [["2026-12-06T04:10:05Z", "2026-12-06T04:10:59Z"], true],
    [["2026-12-06T04:10:05Z", null, "2026-12-06T05:10:05Z"], false],
    [[], false],
  ])("%o needs seconds: %s", (isos, yes) => {
    expect(needsSeconds(isos)).toBe(yes);
  });
});
