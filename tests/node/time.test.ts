// Durations read from the constants that enforce them (worker/time.ts).
import { describe, expect, it } from "vitest";
import { DAY_MS, durationText, HOUR_MS, MINUTE_MS } from "#worker/time";

describe("durationText", () => {
  it.each([
    [MINUTE_MS, "1 minute"],
    [10 * MINUTE_MS, "10 minutes"],
    [HOUR_MS, "1 hour"],
    [24 * HOUR_MS, "24 hours"],
    [72 * HOUR_MS, "72 hours"],
    [7 * DAY_MS, "7 days"],
    [30 * DAY_MS, "30 days"],
    [90 * MINUTE_MS, "90 minutes"],
  ])("%i ms reads %s", (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });

  it("agrees with the units", () => {
    expect(DAY_MS).toBe(86_400_000);
    expect(HOUR_MS).toBe(3_600_000);
  });
});
