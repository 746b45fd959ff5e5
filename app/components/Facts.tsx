// A list of named facts (a term, then its value), as the detail pages and cards show them.
import type { ReactNode } from "react";

export function Facts({ rows, mono }: { rows: [string, ReactNode][]; mono?: boolean }) {
  return (
    <dl className="facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt className={mono ? "mono" : undefined}>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
