// Money that moves credit: paid top-ups add it; refunds and disputes take back what that payment bought
// (never more), computed inside the SQL so concurrent events cannot both take the same credit.
import { appendEntry } from "../ledger";
import { noteLowBalance, rearmLowBalance } from "../low-balance";
import { MICROS_PER_CENT } from "../plans";
import { type Effect, effect, ignore, type Store } from "./effect";
import type { Charge, CheckoutSession, Dispute } from "./objects";
import { accountForPayment, linkCustomer, resolveAccount } from "./resolve";

/** checkout.session.completed / async_payment_succeeded: link the customer; credit a paid top-up. */
export async function checkoutSettled({ db, d1 }: Store, session: CheckoutSession): Promise<Effect> {
  const accountId = await resolveAccount(db, session.customer, [
    session.client_reference_id,
    session.metadata?.accountId,
  ]);
  if (!accountId) return ignore("unknown_account");
  const link = linkCustomer(db, accountId, session.customer);
  const paidTopup =
    session.mode === "payment" && session.metadata?.kind === "topup" && session.payment_status === "paid";
  if (!paidTopup || !session.amount_total) return effect(d1, [link]);
  const credit = appendEntry(db, {
    accountId,
    kind: "topup",
    // What was actually paid, not what was asked for.
    amountMicros: session.amount_total * MICROS_PER_CENT,
    reason: "Prepaid top-up",
    // The session, so completed + async_payment_succeeded for one payment credit once.
    reference: session.id,
    paymentRef: session.payment_intent ?? null,
  });
  return effect(d1, [link, credit, rearmLowBalance(db, accountId)], undefined, accountId);
}

const takeBack = (accountId: string) => async (env: Env) => noteLowBalance(env, accountId);

/**
 * charge.refunded carries the cumulative refunded amount: the refunds of a payment should have taken back
 * credited × refunded / amount; this entry takes the difference to what they took already.
 */
export async function chargeRefunded({ db, d1 }: Store, charge: Charge): Promise<Effect> {
  const accountId = await accountForPayment(db, charge.payment_intent);
  if (!accountId || !charge.payment_intent) return ignore("unknown_payment");
  if (charge.amount === 0) return ignore("nothing_to_apply");
  const statement = d1
    .prepare(
      `INSERT INTO credit_ledger (id, account_id, kind, amount_micros, reason, reference, payment_ref, created_at)
       SELECT ?1, ?2, 'refund', -x.amount, 'Payment refunded', ?3, ?4, ?5
       FROM (
         SELECT min(c.credited * ?6 / ?7 - c.refunded, c.credited - c.taken) AS amount
         FROM (
           SELECT coalesce(sum(CASE WHEN kind IN ('topup', 'grant') THEN amount_micros END), 0) AS credited,
                  coalesce(-sum(CASE WHEN kind IN ('refund', 'reversal') THEN amount_micros END), 0) AS taken,
                  coalesce(-sum(CASE WHEN kind = 'refund' THEN amount_micros END), 0) AS refunded
           FROM credit_ledger WHERE account_id = ?2 AND payment_ref = ?4
         ) c
       ) x
       WHERE x.amount > 0
       ON CONFLICT DO NOTHING`,
    )
    .bind(
      crypto.randomUUID(),
      accountId,
      `${charge.id}:${charge.amount_refunded}`,
      charge.payment_intent,
      Date.now(),
      charge.amount_refunded,
      charge.amount,
    );
  return effect(d1, [statement], takeBack(accountId), accountId);
}

/** charge.dispute.created: the disputed funds are withdrawn, so all credit the payment still backs goes. */
export async function disputeCreated({ db, d1 }: Store, dispute: Dispute): Promise<Effect> {
  const accountId = await accountForPayment(db, dispute.payment_intent);
  if (!accountId || !dispute.payment_intent) return ignore("unknown_payment");
  const statement = d1
    .prepare(
      `INSERT INTO credit_ledger (id, account_id, kind, amount_micros, reason, reference, payment_ref, created_at)
       SELECT ?1, ?2, 'reversal', -x.amount, 'Payment disputed', ?3, ?4, ?5
       FROM (
         SELECT coalesce(sum(CASE WHEN kind IN ('topup', 'grant') THEN amount_micros END), 0)
              + coalesce(sum(CASE WHEN kind IN ('refund', 'reversal') THEN amount_micros END), 0) AS amount
         FROM credit_ledger WHERE account_id = ?2 AND payment_ref = ?4
       ) x
       WHERE x.amount > 0
       ON CONFLICT DO NOTHING`,
    )
    .bind(crypto.randomUUID(), accountId, dispute.id, dispute.payment_intent, Date.now());
  return effect(d1, [statement], takeBack(accountId), accountId);
}
