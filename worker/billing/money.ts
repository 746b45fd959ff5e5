// How ledger amounts (integer micro-dollars) read to people: the page, the API and notices agree.
import { MICROS_PER_DOLLAR } from "./plans";

/** "$12.345678" trimmed to cents unless smaller units matter: "$12.35", "$0.0042", "-$1.00". */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const dollars = Math.abs(micros) / MICROS_PER_DOLLAR;
  const digits = dollars !== 0 && dollars < 0.01 ? 4 : 2;
  return `${sign}$${dollars.toFixed(digits)}`;
}
