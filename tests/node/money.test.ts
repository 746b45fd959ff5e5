// The one money rule (worker/billing/money.ts): exact to the micro-dollar, at least the cents, thousands
// separators, the sign before the dollar sign; other currencies with their own symbol and decimals.
import { describe, expect, it } from "vitest";
import { formatCents, formatMicros, formatMinor } from "#worker/billing/money";

describe("formatMicros", () => {
  it.each([
    // micro-dollars, as read
    [0, "$0.00"],
    [1, "$0.000001"],
    [10, "$0.00001"],
    [42, "$0.000042"],
    [169, "$0.000169"],
    [4_200, "$0.0042"],
    [5_000, "$0.005"],
    [9_999, "$0.009999"],
    [10_000, "$0.01"],
    [14_200, "$0.0142"],
    [150_000, "$0.15"],
    [1_000_000, "$1.00"],
    [12_345_678, "$12.345678"],
    // A $13.50 balance after $0.000214 of use does not read $13.50.
    [13_499_786, "$13.499786"],
    [25_000_000, "$25.00"],
    [1_000_000_000, "$1,000.00"],
    [1_234_567_890_000, "$1,234,567.89"],
    [-500_000, "-$0.50"],
    [-4_200, "-$0.0042"],
    [-1_000_000_000, "-$1,000.00"],
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
    [100_000, "$1,000.00"],
    [-50, "-$0.50"],
  ])("%i ¢ reads %s", (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });
});

describe("formatMinor", () => {
  it.each([
    [100_000, "usd", "$1,000.00"],
    [100_000, "eur", "€1,000.00"],
    [500, "jpy", "¥500"],
    [1_999, "gbp", "£19.99"],
    [1_999, "xx1", "19.99 XX1"],
    [1_905, "xx1", "19.05 XX1"], // the cents keep their leading zero
  ])("%i in %s reads %s", (amount, currency, text) => {
    expect(formatMinor(amount, currency)).toBe(text);
  });
});
