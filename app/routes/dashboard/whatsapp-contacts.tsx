// /dashboard/whatsapp/contacts: the business answers its own WhatsApp contacts' data-rights requests. It types a
// customer's number; the server uses only its keyed hash to show what is held (texts only while content logging
// is on), download it as JSON, or erase it everywhere with a signed receipt. Every form works without JavaScript.
import { Form, Link, useNavigation } from "react-router";
import { Field, FormError } from "../../components/Field";
import type { Route } from "./+types/whatsapp-contacts";

export const meta: Route.MetaFunction = () => [{ title: "WhatsApp contact data — Botmara" }];

export { action, loader } from "./whatsapp-contacts.server";

const NUMBER_HINT =
  "With the country code, e.g. +49 151 2345 6789. Only its keyed hash is used; it is not stored.";

export default function WhatsAppContacts({ actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const error = actionData && "error" in actionData ? actionData.error : null;
  const values = actionData && "values" in actionData ? actionData.values : {};
  const held = actionData && "held" in actionData ? actionData.held : null;
  const receipt = actionData && "receipt" in actionData ? actionData.receipt : null;
  const number = (actionData && "number" in actionData ? actionData.number : values.number) ?? "";
  return (
    <>
      <h1>Contact data</h1>
      <p className="muted">
        When one of your WhatsApp customers asks what you hold about them, or asks you to erase it, enter
        their number here. You see what is kept for them on every number of this account, can download it for
        them, and can erase it everywhere with a signed receipt.{" "}
        <Link to="/dashboard/whatsapp">Back to WhatsApp</Link>
      </p>
      <FormError message={error?.message} />

      <Form method="post" className="card stack">
        <input type="hidden" name="intent" value="lookup" />
        <Field
          label="Customer's phone number"
          name="number"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          maxLength={40}
          required
          defaultValue={number}
          hint={NUMBER_HINT}
          error={error?.fields.number}
        />
        <button type="submit" disabled={busy}>
          Look up
        </button>
      </Form>

      {receipt ? (
        <section className="card stack" data-testid="contact-receipt">
          <div className="alert success" role="status">
            Erased. Nothing is held for this contact any more.
          </div>
          <ul>
            {receipt.erased.map((e) => (
              <li key={e.holder}>
                {e.holder}: {e.records} record{e.records === 1 ? "" : "s"}
              </li>
            ))}
          </ul>
          <p>
            Keep this signed receipt (or hand it to your customer). Anyone can check it at{" "}
            <Link to="/privacy/verify">/privacy/verify</Link>.
          </p>
          <label>
            Signed receipt (compact JWS)
            <textarea readOnly rows={4} value={receipt.jws} />
          </label>
          <details>
            <summary>The receipt as JSON</summary>
            <pre>{JSON.stringify(receipt, null, 2)}</pre>
          </details>
        </section>
      ) : null}

      {held ? (
        <section className="card stack" data-testid="contact-held">
          <h2>
            Held for conversation <code>{held.label}</code>
          </h2>
          {held.contentLogging ? null : (
            <p className="muted">
              Content logging is off: message texts are not shown (and are kept only while a message waits for
              an answer).
            </p>
          )}
          <ul data-testid="contact-counts">
            {held.stores.map((s) => (
              <li key={s.holder}>
                {s.label}: {s.records}
              </li>
            ))}
            <li>Copies kept by content logging: {held.logged.records}</li>
            <li>Usage records of the replies: {held.requests.length}</li>
          </ul>
          {held.stores
            .filter((s) => s.rows.length > 0)
            .map((s) => (
              <details key={s.holder}>
                <summary>{s.label}</summary>
                <pre>{JSON.stringify(s.rows, null, 2)}</pre>
              </details>
            ))}
          {held.logged.items.length ? (
            <details>
              <summary>Copies kept by content logging (the export decrypts them)</summary>
              <pre>{JSON.stringify(held.logged.items, null, 2)}</pre>
            </details>
          ) : null}
          {held.requests.length ? (
            <details>
              <summary>Usage records of the replies</summary>
              <pre>
                {JSON.stringify(
                  held.requests.map((r) => ({ id: r.id, at: r.createdAt, model: r.model, cost: r.cost })),
                  null,
                  2,
                )}
              </pre>
            </details>
          ) : null}
          <form method="post" action="/dashboard/whatsapp/contacts/export" className="stack">
            <input type="hidden" name="number" value={number} />
            <button type="submit" className="secondary">
              Download as JSON
            </button>
          </form>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="erase" />
            <input type="hidden" name="number" value={number} />
            <Field
              label="Your current password (to erase)"
              name="password"
              type="password"
              autoComplete="current-password"
              maxLength={256}
              error={error?.fields.password}
            />
            <button type="submit" className="danger" disabled={busy}>
              Erase everything held for this contact
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}
