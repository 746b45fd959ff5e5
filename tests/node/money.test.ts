// The one money rule (worker/billing/money.ts): cents unless under a cent, then every meaningful decimal
// up to the micro-dollar; the sign before the dollar sign.
import { describe, expect, it } from "vitest";
import { formatCents, formatMicros } from "#worker/billing/money";

describe("formatMicros", () => {
  it.each([
    // micro-dollars, as read
    [0, "$0.00"],
    [1, "$0.000001"],
    [42, "$0.000042"],
    [4_200, "$0.0042"],
    [5_000, "$0.005"],
    [9_999, "$0.009999"],
    [10_000, "$0.01"],
    [14_200, "$0.01"],
    [150_000, "$0.15"],
    [1_000_000, "$1.00"],
    [12_345_678, "$12.35"],
    [25_000_000, "$25.00"],
    [-500_000, "-$0.50"],
    [-4_200, "-$0.0042"],
    [-1_000_000, "-$1.00"],
  ])("%i µ$ reads %s", (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
  });
});

describe("formatCents", () => {
  it.each([
    [0, "$0.00"],
    [1, "$0.01"],
    [250, "$2.50"],
    [2_500, "$25.00"],
    [-50, "-$0.50"],
  ])("%i ¢ reads %s", (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });
});
