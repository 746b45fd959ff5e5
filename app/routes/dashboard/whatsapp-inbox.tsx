// /dashboard/whatsapp/inbox: the customers waiting for a person (they asked for one, or the assistant handed
// them over). A person reads the recent exchange (only when content logging is on), replies within Meta's
// 24-hour window, and resumes the assistant. Every form works without JavaScript.
import { Form, Link, useNavigation } from "react-router";
import { formatDateTime } from "#worker/format";
import { FormError } from "../../components/Field";
import type { Route } from "./+types/whatsapp-inbox";

export const meta: Route.MetaFunction = () => [{ title: "WhatsApp inbox — Botmara" }];

export { action, loader } from "./whatsapp-inbox.server";

const WHY = { keyword: "asked for a person", model: "handed over by the assistant" } as const;

export default function WhatsAppInbox({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const { entries } = loaderData;
  const error = actionData && "error" in actionData ? actionData.error : null;
  return (
    <>
      <h1>WhatsApp inbox</h1>
      <p className="muted">
        Customers the assistant is paused for. What they wrote is shown only when content logging is on (it is
        not kept otherwise). You can reply for 24 hours after a customer's latest message; resume the
        assistant when you are done. <Link to="/dashboard/whatsapp">Back to WhatsApp</Link>
      </p>
      {actionData && "replied" in actionData ? (
        <div className="alert success" role="status">
          Reply sent to conversation {actionData.replied}.
        </div>
      ) : null}
      {actionData && "resumed" in actionData ? (
        <div className="alert success" role="status">
          The assistant answers conversation {actionData.resumed} again.
        </div>
      ) : null}
      <FormError message={error?.message} />
      {entries.length === 0 ? <p data-testid="inbox-empty">No customer is waiting for a person.</p> : null}
      {entries.map((e) => (
        <section className="card stack" key={`${e.phoneNumberId}-${e.contactHash}`} data-testid="inbox-entry">
          <h2>
            Conversation <code>{e.label}</code> on <code>{e.phoneNumberId}</code>
          </h2>
          <p className="muted">
            Paused {formatDateTime(e.pausedAt)} ({e.pausedBy ? WHY[e.pausedBy] : "paused"}). Latest message:{" "}
            {formatDateTime(e.lastMessageAt)}.{" "}
            {e.replyUntil
              ? `You can reply until ${formatDateTime(e.replyUntil)}.`
              : "The 24-hour window has closed: a reply cannot be sent."}
          </p>
          {e.exchange === null ? (
            <p className="muted">Content logging is off, so the conversation was not kept.</p>
          ) : e.exchange.length === 0 ? (
            <p className="muted">Nothing of this conversation is kept any more.</p>
          ) : (
            <ol className="stack" aria-label="Recent exchange">
              {e.exchange.map((t, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: turns have no id of their own here and never move
                <li key={i}>
                  <strong>{t.role === "user" ? "Customer" : "You / assistant"}:</strong> {t.content}
                </li>
              ))}
            </ol>
          )}
          {e.replyUntil ? (
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="reply" />
              <input type="hidden" name="phoneNumberId" value={e.phoneNumberId} />
              <input type="hidden" name="contactHash" value={e.contactHash} />
              <label>
                Your reply
                <textarea name="text" rows={3} maxLength={4096} required />
              </label>
              <button type="submit" disabled={busy}>
                Send reply
              </button>
            </Form>
          ) : null}
          <Form method="post">
            <input type="hidden" name="intent" value="resume" />
            <input type="hidden" name="phoneNumberId" value={e.phoneNumberId} />
            <input type="hidden" name="contactHash" value={e.contactHash} />
            <button type="submit" className="secondary" disabled={busy}>
              Resume the assistant
            </button>
          </Form>
        </section>
      ))}
    </>
  );
}
