// Credit enforcement seam for the AI proxy: reserve the most a request can cost before forwarding it,
// settle to the metered cost afterwards. (Interface fixed; the billing capability implements it.)

/** A reservation held for one request; null when nothing was reserved. */
export type CreditHold = { id: string; accountId: string; amountMicros: number } | null;

/** Reserves up to `maxCostMicros` for one request; throws AppError 402 when the balance cannot cover it. */
export async function reserveCredit(
  _env: Env,
  _accountId: string,
  _maxCostMicros: number,
): Promise<CreditHold> {
  return null;
}

/** Releases a hold and charges the metered cost (called once per request, off the response path). */
export async function settleCredit(
  _env: Env,
  _hold: CreditHold,
  _costMicros: number,
  _usageId: string,
): Promise<void> {}
