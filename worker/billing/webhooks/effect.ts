// What applying one Stripe event means: D1 statements committed in the same batch as the event's id,
// and an optional follow-up once they are committed (a notice).
import type { BatchItem } from "drizzle-orm/batch";

export type Effect = {
  statements: BatchItem<"sqlite">[];
  /** Runs after the batch committed, only for the delivery that applied the event. */
  after?: (env: Env) => Promise<void>;
};

export const NO_EFFECT: Effect = { statements: [] };

/** Drops the undefined entries optional statements leave behind. */
export function effect(statements: (BatchItem<"sqlite"> | undefined)[], after?: Effect["after"]): Effect {
  return { statements: statements.filter((s): s is BatchItem<"sqlite"> => s !== undefined), after };
}
