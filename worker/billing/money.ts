// How money reads to people: the one formatter for the dashboard, the API's texts and notices.
import { formatInt } from "../format";
import { MICROS_PER_CENT, MICROS_PER_DOLLAR } from "./plans";

/**
 * Ledger amounts are integer micro-dollars, and they read exactly: thousands separators, at least the cents,
 * then as many further decimals as the amount has, up to the micro-dollar ("$1,000.00", "$13.499786",
 * "$0.000214"), so a balance after a tiny charge never reads as if nothing was charged; the sign goes before
 * the dollar sign ("-$0.50").
 */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(Math.round(micros));
  const fraction = String(abs % MICROS_PER_DOLLAR)
    .padStart(6, "0")
    .replace(/0+$/, "")
    .padEnd(2, "0");
  return `${sign}$${formatInt(Math.floor(abs / MICROS_PER_DOLLAR))}.${fraction}`;
}

/** Whole cents (Stripe's unit, plan prices, top-up bounds), read by the same rule. */
export function formatCents(cents: number): string {
  return formatMicros(cents * MICROS_PER_CENT);
}

/**
 * An amount in a currency's minor unit (Stripe's invoices): US dollars by the rule above, any other currency
 * with its own symbol and decimals ("€1,000.00", "¥500").
 */
export function formatMinor(amount: number, currency: string): string {
  const code = currency.toUpperCase();
  if (code === "USD") return formatCents(amount);
  try {
    const format = new Intl.NumberFormat("en-US", { style: "currency", currency: code });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    // An unknown code still reads: the amount in hundredths, then the code.
    return `${formatInt(Math.trunc(amount / 100))}.${String(Math.abs(amount) % 100).padStart(2, "0")} ${code}`;
  }
}
