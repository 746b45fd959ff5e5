// What applying one Stripe event means: D1 statements committed in the same batch as the event's id,
// and an optional follow-up once they are committed (a notice).
import type { Db } from "../../env";

export type Effect = {
  statements: D1PreparedStatement[];
  /** The account whose balance the statements change; its Durable Object is told once they commit. */
  accountId?: string;
  /** Runs after the batch committed, only for the delivery that applied the event. */
  after?: (env: Env) => Promise<void>;
};

export const NO_EFFECT: Effect = { statements: [] };

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
