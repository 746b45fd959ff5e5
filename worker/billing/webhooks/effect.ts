// What applying one Stripe event means: D1 statements committed in the same batch as the event's id,
// and an optional follow-up once they are committed (a notice); or why the event changes nothing here.
import type { Db } from "../../env";

export type Effect = {
  statements: D1PreparedStatement[];
  /** The account whose balance the statements change; its Durable Object is told once they commit. */
  accountId?: string;
  /** Runs after the batch committed, only for the delivery that applied the event. */
  after?: (env: Env) => Promise<void>;
  /** Set when the event is ours to record but names nothing we know: the answer says `ignored`, and why. */
  ignored?: IgnoredReason;
};

/** Why a signed, well-formed event changes nothing (it is still recorded, so a replay is a duplicate). */
export const IGNORED_REASONS = [
  "unhandled_event_type",
  "unknown_account",
  "unknown_customer",
  "unknown_payment",
  "nothing_to_apply",
] as const;
export type IgnoredReason = (typeof IGNORED_REASONS)[number];

/** Recorded, with nothing else to do: e.g. a failed async payment credits nothing. */
export const NO_EFFECT: Effect = { statements: [] };

/** Recorded and answered `ignored`: the event names an account, customer or payment that is not ours. */
export const ignore = (reason: IgnoredReason): Effect => ({ statements: [], ignored: reason });

/** The same D1 database, through drizzle for reads and raw for the batch. */
export type Store = { db: Db; d1: D1Database };

/** A drizzle query builder, or anything else that renders to SQL and parameters. */
type Buildable = { toSQL(): { sql: string; params: unknown[] } };

/** Turns drizzle queries into D1 statements, so they can share one batch with hand-written SQL. */
export function effect(
  d1: D1Database,
  statements: (Buildable | D1PreparedStatement | undefined)[],
  after?: Effect["after"],
  accountId?: string,
): Effect {
  return {
    accountId,
    statements: statements.flatMap((s) => {
      if (s === undefined) return [];
      if ("toSQL" in s) {
        const { sql, params } = s.toSQL();
        return [d1.prepare(sql).bind(...params)];
      }
      return [s];
    }),
    after,
  };
}
