// How money reads to people: the one formatter for the dashboard, the API's texts and notices.
import { MICROS_PER_CENT, MICROS_PER_DOLLAR } from "./plans";

/**
 * Ledger amounts are integer micro-dollars. The one rule: cents ("$12.35", "$0.00") unless the amount is
 * under a cent, then as many decimals as it has, up to the micro-dollar, trailing zeros trimmed ("$0.0042",
 * "$0.000042"); the sign goes before the dollar sign ("-$0.50").
 */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const dollars = abs / MICROS_PER_DOLLAR;
  const text =
    abs !== 0 && abs < MICROS_PER_CENT ? dollars.toFixed(6).replace(/0+$/, "") : dollars.toFixed(2);
  return `${sign}$${text}`;
}

/** Whole cents (Stripe's unit, plan prices, top-up bounds), read by the same rule. */
export function formatCents(cents: number): string {
  return formatMicros(cents * MICROS_PER_CENT);
}
