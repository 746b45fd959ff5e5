// A deletion receipt in plain language: what was erased, what is kept, why and until when.

import { formatCount, formatDateTime } from "#worker/format";
import type { ReadableReceipt as Receipt } from "#worker/privacy/receipts/views";

export function ReadableReceipt({ receipt }: { receipt: Receipt }) {
  return (
    <div className="stack">
      <p>
        Deletion request <span className="mono">{receipt.requestId}</span>, asked{" "}
        {formatDateTime(receipt.requestedAt)}, completed {formatDateTime(receipt.completedAt)}.
      </p>
      <h3>What was erased</h3>
      <ul>
        {receipt.erased.map((e) => (
          <li key={e.label}>
            {e.label}: {formatCount(e.records, "record")}
          </li>
        ))}
      </ul>
      <h3>What is kept, why, and until when</h3>
      <ul>
        {receipt.kept.map((k) => (
          <li key={k.what}>
            <strong>{k.what}.</strong> Why: {k.why}. Until: {k.until}.
          </li>
        ))}
      </ul>
      <p className="muted">{receipt.backups}</p>
    </div>
  );
}
