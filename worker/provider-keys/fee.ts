// What a request sent with the customer's own provider key costs: the operator's platform fee, a share of the
// list price in basis points (BYOK_PLATFORM_FEE_PERCENT), rounded half up to a whole micro-dollar.
export function withPlatformFee(listCostMicros: number, feeBasisPoints: number): number {
  return Math.floor((listCostMicros * feeBasisPoints + 5_000) / 10_000);
}
