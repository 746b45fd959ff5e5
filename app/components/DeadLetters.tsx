// /admin's view of the usage dead-letter queue (ADR 020): batches of usage rows the replay queue could not apply to
// their account's object — how many, how many rows and what they cost, and when — never the rows themselves.
import { formatMicros } from "#worker/billing/money";
import { formatDateTime, formatInt } from "#worker/format";

type Summary = {
  batches: number;
  rows: number;
  costMicros: number;
  latest: { id: string; rows: number; costMicros: number; firstRowAt: string; deadAt: string }[];
};

export function DeadLetters({ summary }: { summary: Summary }) {
  return (
    <section className="block" aria-labelledby="dead-letters">
      <h2 id="dead-letters">Usage dead letters</h2>
      <p className="muted" data-testid="dead-letter-count">
        {summary.batches
          ? `${formatInt(summary.batches)} batch${summary.batches === 1 ? "" : "es"} (${formatInt(summary.rows)} rows, ${formatMicros(summary.costMicros)}) could not be metered after every retry.`
          : "Every handed-off usage batch was metered: none is dead-lettered."}
      </p>
      {summary.latest.length ? (
        <ul>
          {summary.latest.map((b) => (
            <li key={b.id}>
              <span className="mono">{b.id}</span>: {formatInt(b.rows)} rows, {formatMicros(b.costMicros)},
              metered from {formatDateTime(b.firstRowAt)}, dead-lettered {formatDateTime(b.deadAt)}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
