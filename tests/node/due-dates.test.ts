// The 30-day clock of a privacy request: due at min(received + N days, received + 1 calendar month).
import { describe, expect, it } from "vitest";
import { BREACH_CLOCK_HOURS, breachDueDate, dueDate } from "#worker/privacy/rights-requests/clock";

describe("dueDate", () => {
  it.each([
    // received, days, due
    ["2026-01-10T12:00:00.000Z", 30, "2026-02-09T12:00:00.000Z"], // 30 days come before Feb 10
    ["2026-02-01T00:00:00.000Z", 30, "2026-03-01T00:00:00.000Z"], // February: the month is shorter than 30 days
    ["2026-04-15T08:30:00.000Z", 30, "2026-05-15T08:30:00.000Z"], // a 30-day month: both the same
    ["2026-01-31T00:00:00.000Z", 30, "2026-03-02T00:00:00.000Z"], // Jan 31 + 1 month overflows to Mar 3: days decide
    ["2026-12-20T00:00:00.000Z", 30, "2027-01-19T00:00:00.000Z"], // across the year
    ["2026-03-01T00:00:00.000Z", 10, "2026-03-11T00:00:00.000Z"], // a shorter deadline: days decide
  ])("received %s, %i days → due %s", (received, days, due) => {
    expect(dueDate(new Date(received), days).toISOString()).toBe(due);
  });
});

describe("breachDueDate", () => {
  it("a breach reaches the supervisory authority within 72 hours of its detection (Art. 33(1))", () => {
    expect(BREACH_CLOCK_HOURS).toBe(72);
    expect(breachDueDate(new Date("2026-12-06T09:30:00.000Z")).toISOString()).toBe(
      "2026-12-09T09:30:00.000Z",
    );
  });
});
