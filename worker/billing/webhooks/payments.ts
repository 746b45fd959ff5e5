// Money that moves credit: paid top-ups add it; refunds and disputes take back what that payment bought
// (never more), computed inside the SQL so concurrent events cannot both take the same credit, and from the
// payment's recorded facts so that its events converge in any order (ADR 041).
import { appendEntry } from "../ledger";
import { noteLowBalance, rearmLowBalance } from "../low-balance";
import { MICROS_PER_CENT } from "../plans";
import { type Effect, effect, ignore, type Store } from "./effect";
import type { Charge, CheckoutSession, Dispute } from "./objects";
import { accountForPayment, linkCustomer, resolveAccount } from "./resolve";

/** checkout.session.completed / async_payment_succeeded: link the customer; credit a paid top-up. */
export async function checkoutSettled(
  { db, d1 }: Store,
  session: CheckoutSession,
  eventId: string,
): Promise<Effect> {
  const accountId = await resolveAccount(db, session.customer, [
    session.client_reference_id,
    session.metadata?.accountId,
  ]);
  if (!accountId) return ignore("unknown_account");
  const link = linkCustomer(db, accountId, session.customer);
  const paidTopup =
    session.mode === "payment" && session.metadata?.kind === "topup" && session.payment_status === "paid";
  if (!paidTopup || !session.amount_total) return effect(d1, [link]);
  const paymentIntent = session.payment_intent ?? null;
  const credit = appendEntry(db, {
    accountId,
    kind: "topup",
    // What was actually paid, not what was asked for.
    amountMicros: session.amount_total * MICROS_PER_CENT,
    reason: "Prepaid top-up",
    // The session, so completed + async_payment_succeeded for one payment credit once.
    reference: session.id,
    paymentRef: paymentIntent,
  });
  // Refunds or a dispute that came before the payment itself are applied now that its credit is known.
  const held = paymentIntent ? reconcile(d1, accountId, paymentIntent, eventId) : [];
  return effect(
    d1,
    [link, credit, rearmLowBalance(db, accountId), ...held],
    held.length ? takeBack(accountId) : undefined,
    accountId,
  );
}

const takeBack = (accountId: string) => async (env: Env) => noteLowBalance(env, accountId);

/** What one event says about a payment's reversals (ADR 041); absent fields say nothing new. */
type PaymentFact = { chargeAmount?: number; refunded?: number; dispute?: "open" | "won" | "lost" };

/**
 * Records a fact about a payment, never moving backwards: the refunded amount only grows (charge.refunded is
 * cumulative), and a closed dispute stays closed whatever older dispute event arrives after it.
 */
function recordFact(d1: D1Database, paymentIntent: string, fact: PaymentFact): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO stripe_payments (payment_intent, charge_amount, refunded, dispute, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (payment_intent) DO UPDATE SET
         charge_amount = coalesce(excluded.charge_amount, charge_amount),
         refunded = max(refunded, excluded.refunded),
         dispute = CASE WHEN dispute IN ('won', 'lost') THEN dispute ELSE coalesce(excluded.dispute, dispute) END,
         updated_at = excluded.updated_at`,
    )
    .bind(paymentIntent, fact.chargeAmount ?? null, fact.refunded ?? 0, fact.dispute ?? null, Date.now());
}

/** The payment's credit, and what its refund and reversal entries took so far (micro-USD, positive). */
const PAYMENT_SUMS = `SELECT coalesce(sum(CASE WHEN kind IN ('topup', 'grant') THEN amount_micros END), 0) AS credited,
         coalesce(-sum(CASE WHEN kind = 'refund' THEN amount_micros END), 0) AS refunded,
         coalesce(-sum(CASE WHEN kind = 'reversal' THEN amount_micros END), 0) AS reversed
  FROM credit_ledger WHERE account_id = ?2 AND payment_ref = ?4`;

/**
 * Brings the payment's refund and reversal entries to what its facts imply, computed inside the SQL (so concurrent
 * events of one payment cannot both take the same credit): refunds take credited × refunded ÷ amount; an open or
 * lost dispute takes whatever credit the payment still backs after them, a won one nothing (a positive reversal
 * gives back what an earlier state took). Runs after every event of the payment, in its batch — so whichever order
 * the events come in, the last one leaves the same entries' sums (ADR 041).
 */
function reconcile(d1: D1Database, accountId: string, paymentIntent: string, eventId: string) {
  const now = Date.now();
  const refund = d1
    .prepare(
      `INSERT INTO credit_ledger (id, account_id, kind, amount_micros, reason, reference, payment_ref, created_at)
       SELECT ?1, ?2, 'refund', -(t.target - t.taken), 'Payment refunded', ?3, ?4, ?5
       FROM (
         SELECT CASE WHEN p.charge_amount > 0 THEN min(c.credited, c.credited * p.refunded / p.charge_amount) ELSE 0 END
                  AS target,
                c.refunded AS taken
         FROM stripe_payments p, (${PAYMENT_SUMS}) c
         WHERE p.payment_intent = ?4
       ) t
       WHERE t.target > t.taken
       ON CONFLICT DO NOTHING`,
    )
    .bind(crypto.randomUUID(), accountId, eventId, paymentIntent, now);
  const reversal = d1
    .prepare(
      `INSERT INTO credit_ledger (id, account_id, kind, amount_micros, reason, reference, payment_ref, created_at)
       SELECT ?1, ?2, 'reversal', -(t.target - t.taken),
              CASE WHEN t.target > t.taken THEN 'Payment disputed' ELSE 'Dispute won: credit restored' END, ?3, ?4, ?5
       FROM (
         SELECT CASE WHEN p.dispute IN ('open', 'lost') THEN max(0, c.credited - c.refunded) ELSE 0 END AS target,
                c.reversed AS taken
         FROM stripe_payments p, (${PAYMENT_SUMS}) c
         WHERE p.payment_intent = ?4
       ) t
       WHERE t.target <> t.taken
       ON CONFLICT DO NOTHING`,
    )
    .bind(crypto.randomUUID(), accountId, eventId, paymentIntent, now);
  return [refund, reversal];
}

/**
 * A fact about a payment's reversal (a refund, a dispute's progress): recorded whatever the order, and applied to
 * the ledger once the payment's top-up is known — a refund that beats its checkout waits for it (answered
 * `ignored`, `unknown_payment`, until then; the checkout applies it).
 */
async function reversalFact(
  { db, d1 }: Store,
  paymentIntent: string | null | undefined,
  fact: PaymentFact,
  eventId: string,
): Promise<Effect> {
  if (!paymentIntent) return ignore("unknown_payment");
  const recorded = recordFact(d1, paymentIntent, fact);
  const accountId = await accountForPayment(db, paymentIntent);
  if (!accountId) return { statements: [recorded], ignored: "unknown_payment" };
  return effect(
    d1,
    [recorded, ...reconcile(d1, accountId, paymentIntent, eventId)],
    takeBack(accountId),
    accountId,
  );
}

/** charge.refunded carries the cumulative refunded amount: the refunds take that share of the payment's credit. */
export async function chargeRefunded(store: Store, charge: Charge, eventId: string): Promise<Effect> {
  if (charge.amount === 0) return ignore("nothing_to_apply");
  return reversalFact(
    store,
    charge.payment_intent,
    { chargeAmount: charge.amount, refunded: charge.amount_refunded },
    eventId,
  );
}

/**
 * A dispute's progress: created or funds withdrawn → open (all credit the payment still backs goes); closed won
 * (or an inquiry closed, or funds reinstated) → won (it comes back); closed lost → lost.
 */
export async function disputeChanged(
  store: Store,
  dispute: Dispute,
  state: "open" | "won" | "lost",
  eventId: string,
): Promise<Effect> {
  return reversalFact(store, dispute.payment_intent, { dispute: state }, eventId);
}
