// Billing data: exported in full; on erasure invoices and ledger entries are first copied, pseudonymised,
// into retained_billing (tax law), then every billing row of the account is deleted.

import { HOSTING, hostingTransfers, LEGAL_BASIS, PAYMENTS } from "./declarations";
import type { DataHolder, Retained } from "./holder";
import { eraseTableBatch, exportTablePage, type TableSpec } from "./table";

/** The longest bookkeeping period among the markets served (DE books, FR, IT: 10 years). */
const BILLING_RETENTION_YEARS = 10;
const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const BILLING_LEGAL_BASIS =
  "GDPR Art. 17(3)(b) and 6(1)(c): accounting and tax records that law requires us to keep (e.g. DE §147 AO, FR, IT: 10 years)";

// Credit holds live only in the account's Durable Object, in memory, for the length of one request (ADR 040).
const exportTables = ["billing_accounts", "credit_ledger", "billing_invoices"];
/** Ledger and invoices are erased first; billing_accounts last (ledger inserts need it). */
const eraseTables = ["credit_ledger", "billing_invoices", "billing_accounts"];

const exportColumns: Record<string, string[]> = {
  billing_accounts: [
    "stripe_customer_id",
    "subscription_id",
    "subscription_status",
    "subscription_price_id",
    "current_period_end",
    "cancel_at",
    "balance_micros",
    "created_at",
  ],
  credit_ledger: ["id", "kind", "amount_micros", "reason", "reference", "created_at"],
  billing_invoices: [
    "id",
    "number",
    "status",
    "amount_due_cents",
    "amount_paid_cents",
    "currency",
    "hosted_invoice_url",
    "created_at",
  ],
};

/** Copies the account's invoices and ledger into retained_billing under the token; safe to repeat. */
async function retain(env: Env, accountId: string, token: string): Promise<void> {
  const retainMs = Math.round(BILLING_RETENTION_YEARS * YEAR_MS);
  await env.DB.batch([
    env.DB.prepare(
      `INSERT OR IGNORE INTO retained_billing (id, token, kind, reference, record, issued_at, legal_basis, retain_until)
       SELECT 'inv_' || id, ?1, 'invoice', id,
         json_object('number', number, 'status', status, 'amountDueCents', amount_due_cents,
                     'amountPaidCents', amount_paid_cents, 'currency', currency),
         created_at, ?2, created_at + ?3
       FROM billing_invoices WHERE account_id = ?4`,
    ).bind(token, BILLING_LEGAL_BASIS, retainMs, accountId),
    env.DB.prepare(
      `INSERT OR IGNORE INTO retained_billing (id, token, kind, reference, record, issued_at, legal_basis, retain_until)
       SELECT 'led_' || id, ?1, 'ledger', reference,
         json_object('kind', kind, 'amountMicros', amount_micros),
         created_at, ?2, created_at + ?3
       FROM credit_ledger WHERE account_id = ?4`,
    ).bind(token, BILLING_LEGAL_BASIS, retainMs, accountId),
  ]);
}

export const billingHolder: DataHolder = {
  name: "billing",
  description: "Plan, subscription status, credit ledger and invoice references (no card data)",
  location: "D1 tables billing_accounts, credit_ledger, billing_invoices",
  processing: (config) => ({
    purpose: "Billing: plans, prepaid credit, charges per request and invoices",
    legalBasis: `${LEGAL_BASIS.contract}; ${LEGAL_BASIS.obligation} for invoices`,
    categories: [
      "Stripe customer and subscription ids",
      "plan and status",
      "credit ledger",
      "invoice references",
    ],
    recipients: [HOSTING, PAYMENTS],
    retention: `While the account exists; after its deletion, invoices and ledger entries are kept pseudonymised (no name, email or account id) for ${BILLING_RETENTION_YEARS} years (tax law)`,
    transfers: `${hostingTransfers(config)}. Stripe: EU–US Data Privacy Framework and Standard Contractual Clauses`,
  }),
  async export(env, accountId, cursor) {
    // Cursor: "<table index>:<rowid cursor>".
    const [indexText, inner] = (cursor ?? "0:").split(":");
    const i = Number(indexText);
    const table = exportTables[i]!;
    const spec: TableSpec = { name: table, description: "", table, columns: exportColumns[table]! };
    const page = await exportTablePage(env, spec, accountId, inner || null);
    const rows = page.rows.map((r) => ({ table, ...(r as object) }));
    if (page.next) return { rows, next: `${i}:${page.next}` };
    return { rows, next: i + 1 < exportTables.length ? `${i + 1}:` : null };
  },
  async erase(env, accountId, cursor, { token }) {
    // Cursor: index into eraseTables; the first call (null) copies what the law keeps before anything goes.
    if (cursor === null) await retain(env, accountId, token);
    const i = Number(cursor ?? 0);
    const { erased, next } = await eraseTableBatch(env, eraseTables[i]!, accountId);
    if (next) return { erased, next: String(i) };
    return { erased, next: i + 1 < eraseTables.length ? String(i + 1) : null };
  },
  retains(now: Date): Retained[] {
    const until = new Date(now.getTime() + BILLING_RETENTION_YEARS * YEAR_MS).toISOString().slice(0, 10);
    return [
      {
        what: "Invoices and credit-ledger entries: number, amounts, currency, status and date — without name, email or account id",
        legalBasis: BILLING_LEGAL_BASIS,
        until: `${BILLING_RETENTION_YEARS} years after each record's date (at the latest ${until})`,
        untilDate: until,
      },
    ];
  },
};
