// A subscription's end of period in words: renews, ends on (a scheduled cancellation), ended.
import { describe, expect, it } from "vitest";
import { renewalText } from "../../app/lib/renewal";

const END = "2027-01-05T10:00:00.000Z";

describe("renewalText", () => {
  it.each([
    [{ status: "active", currentPeriodEnd: END, cancelAt: null }, "renews 2027-01-05"],
    [{ status: "active", currentPeriodEnd: END, cancelAt: END }, "ends on 2027-01-05"],
    [
      { status: "trialing", currentPeriodEnd: END, cancelAt: "2026-12-24T00:00:00.000Z" },
      "ends on 2026-12-24",
    ],
    [{ status: "past_due", currentPeriodEnd: END, cancelAt: null }, "renews 2027-01-05"],
    [{ status: "canceled", currentPeriodEnd: END, cancelAt: END }, "ended 2027-01-05"],
    [{ status: "active", currentPeriodEnd: null, cancelAt: null }, null],
    [{ status: null, currentPeriodEnd: null, cancelAt: null }, null],
  ])("%o reads %s", (subscription, text) => {
    expect(renewalText(subscription)).toBe(text);
  });
});
