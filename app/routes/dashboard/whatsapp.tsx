// /dashboard/whatsapp: connect WhatsApp Business numbers (several per account, each with its own model and
// prompt), see their status and recent messages (metadata only), and — in local development against the fake
// Graph API — simulate a customer conversation. `?number=<id>` picks the number to edit, `?number=new` adds one.
import { Form, Link, useNavigation } from "react-router";
import { formatDateTime } from "#worker/format";
import { METADATA_RETENTION_DAYS } from "#worker/whatsapp/window";
import { DataTable } from "../../components/DataTable";
import { Field, FormError } from "../../components/Field";
import type { Route } from "./+types/whatsapp";

export const meta: Route.MetaFunction = () => [{ title: "WhatsApp — Botmara" }];

export { action, loader } from "./whatsapp.server";

export default function WhatsApp({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const { numbers, connection, models, messages, simulator, fakeReplies, webhookUrl } = loaderData;
  const error = actionData && "error" in actionData ? actionData.error : null;
  const simulated = actionData && "simulated" in actionData ? actionData.simulated : null;
  const connected = connection.connected;
  return (
    <>
      <h1>WhatsApp</h1>
      <p className="muted">
        Answer your customers on WhatsApp with the AI. We keep message ids, times and statuses; customers'
        numbers only as a keyed hash; message text only if content logging is on (then encrypted, and as
        conversation context for at most the 24-hour window).
      </p>
      {actionData && "saved" in actionData ? (
        <div className="alert success" role="status">
          Saved.
          {actionData.webhookSecret ? (
            <>
              {" "}
              The hand-off webhook's signing secret, shown only now — copy it:{" "}
              <code data-testid="webhook-secret">{actionData.webhookSecret}</code>
            </>
          ) : null}
        </div>
      ) : null}
      {actionData && "disconnected" in actionData ? (
        <div className="alert success" role="status">
          Disconnected. The secrets, anything waiting to be answered and the conversation context were
          deleted; message records stay for {METADATA_RETENTION_DAYS} days and logged copies until their
          retention ends (you can still erase a customer's data under{" "}
          <Link to="/dashboard/whatsapp/contacts">Contact data</Link>).
        </div>
      ) : null}
      <FormError message={error?.message} />

      <p data-testid="contacts-link">
        <Link to="/dashboard/whatsapp/contacts">Contact data</Link>: look up, export or erase what is held for
        one customer's number (their data-rights requests).
      </p>

      <p data-testid="inbox-link">
        <Link to="/dashboard/whatsapp/inbox">Inbox</Link>:{" "}
        {loaderData.waiting === 0
          ? "no customer is waiting for a person."
          : `${loaderData.waiting} customer${loaderData.waiting === 1 ? " is" : "s are"} waiting for a person.`}
      </p>

      <div className="card">
        <h2>Numbers</h2>
        {numbers.length > 0 ? (
          <ul className="stack" data-testid="whatsapp-status">
            {numbers.map((n) => (
              <li key={n.phoneNumberId} data-testid="whatsapp-number">
                Number <code>{n.phoneNumberId}</code> is <span className="badge">connected</span>
                {n.phoneNumberId === connection.phoneNumberId ? (
                  <> (editing below)</>
                ) : (
                  <>
                    {" "}
                    — <Link to={`?number=${n.phoneNumberId}`}>edit</Link>
                  </>
                )}
                <br />
                <span className="muted">
                  Model <code>{n.model}</code>. Last message received:{" "}
                  {formatDateTime(n.status.lastMessageAt)}. Last reply sent:{" "}
                  {formatDateTime(n.status.lastReplyAt)}. Last error:{" "}
                  {n.status.lastError ? (
                    <>
                      <code>{n.status.lastError}</code> ({formatDateTime(n.status.lastErrorAt)})
                    </>
                  ) : (
                    "none"
                  )}
                  .
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p>Not connected.</p>
        )}
        {numbers.length > 0 ? (
          <p>
            <Link to="?number=new">Add another number</Link>
          </p>
        ) : null}
        <p className="muted">
          In Meta's App Dashboard, set the webhook callback URL to <code>{webhookUrl}</code> with your verify
          token, and subscribe to the <code>messages</code> field.
        </p>
      </div>

      <div className="card">
        <h2>{connected ? `Settings of ${connection.phoneNumberId}` : "Connect a number"}</h2>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="save" />
          <input type="hidden" name="target" value={connection.phoneNumberId ?? ""} />
          <Field
            label="Phone number id"
            name="phoneNumberId"
            required
            inputMode="numeric"
            defaultValue={connection.phoneNumberId ?? ""}
            error={error?.param === "phoneNumberId" ? error.message : null}
          />
          <Field
            label="WhatsApp Business Account id"
            name="wabaId"
            required
            inputMode="numeric"
            defaultValue={connection.wabaId ?? ""}
            error={error?.param === "wabaId" ? error.message : null}
          />
          <Field
            label="Access token"
            name="accessToken"
            type="password"
            autoComplete="off"
            required={!connected}
            placeholder={connected ? "saved — leave blank to keep" : ""}
            error={error?.param === "accessToken" ? error.message : null}
          />
          <Field
            label="App secret"
            name="appSecret"
            type="password"
            autoComplete="off"
            required={!connected}
            placeholder={connected ? "saved — leave blank to keep" : ""}
            error={error?.param === "appSecret" ? error.message : null}
          />
          <Field
            label="Verify token"
            name="verifyToken"
            autoComplete="off"
            required={!connected}
            defaultValue={connected ? "" : loaderData.suggestedVerifyToken}
            placeholder={connected ? "saved — leave blank to keep" : ""}
            error={error?.param === "verifyToken" ? error.message : null}
          />
          <label>
            Model
            <select name="model" defaultValue={connection.model ?? models[0]}>
              {models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <label>
            System prompt
            <textarea
              name="systemPrompt"
              rows={4}
              maxLength={4000}
              defaultValue={connection.systemPrompt ?? ""}
            />
          </label>
          <label>
            Messages the bot cannot read (e.g. a sticker or an unsupported type)
            <select name="nonTextMessages" defaultValue={connection.nonTextMessages ?? "reply"}>
              <option value="reply">Reply with a short polite note asking for text</option>
              <option value="skip">Do not reply</option>
            </select>
          </label>
          <fieldset className="stack">
            <legend>Opt-out and hand-off</legend>
            <p className="muted">
              Whole messages, separated by commas, compared without case, accents or punctuation. A stop word
              opts the customer out (nothing more is sent, the AI is never asked) until they send a start
              word; a hand-off word pauses the AI for them, mails you and lists them in the inbox.
            </p>
            <Field
              label="Stop words"
              name="stopKeywords"
              maxLength={1000}
              defaultValue={connection.optOut?.stopKeywords.join(", ") ?? ""}
              placeholder="default: STOP, STOPALL, UNSUBSCRIBE, STOPP, ARRET, ALTO, BAJA"
            />
            <Field
              label="Start words"
              name="startKeywords"
              maxLength={1000}
              defaultValue={connection.optOut?.startKeywords.join(", ") ?? ""}
              placeholder="default: START, UNSTOP, RESUME, DEMARRER, INICIO"
            />
            <Field
              label="Hand-off words"
              name="handOffKeywords"
              maxLength={1000}
              defaultValue={connection.handOff?.keywords.join(", ") ?? ""}
              placeholder="default: HUMAN, AGENT, PERSON, HUMAIN, MENSCH, AGENTE"
            />
            <Field
              label="Hand-off webhook URL (optional, https)"
              name="handOffWebhookUrl"
              type="url"
              maxLength={2000}
              defaultValue={connection.handOff?.webhookUrl ?? ""}
              error={error?.param === "handOffWebhookUrl" ? error.message : null}
            />
          </fieldset>
          <Field
            label="Your current password"
            name="password"
            type="password"
            autoComplete="current-password"
            required={!connected}
            maxLength={256}
            placeholder={connected ? "only to change the number or secrets" : ""}
            error={error?.param === "password" ? error.message : null}
          />
          <div className="inline">
            <button type="submit" disabled={busy}>
              {connected ? "Save" : "Connect"}
            </button>
          </div>
        </Form>
        {connected ? (
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="disconnect" />
            <input type="hidden" name="phoneNumberId" value={connection.phoneNumberId ?? ""} />
            <Field
              label="Your current password (to disconnect)"
              name="password"
              type="password"
              autoComplete="current-password"
              maxLength={256}
            />
            <button type="submit" className="danger" disabled={busy}>
              Disconnect
            </button>
          </Form>
        ) : null}
      </div>

      {simulator && connected ? (
        <div className="card">
          <h2>Simulator (local development, number {connection.phoneNumberId})</h2>
          <p className="muted">
            Sends a signed sample notification through the real webhook path; the reply goes to the local fake
            Graph API, never to WhatsApp.
          </p>
          <Form method="post" className="inline">
            <input type="hidden" name="intent" value="simulate" />
            <input type="hidden" name="phoneNumberId" value={connection.phoneNumberId ?? ""} />
            <Field
              label="Customer number"
              name="from"
              defaultValue={simulated?.from ?? "15551234567"}
              required
            />
            <Field label="Customer's message" name="text" required maxLength={1000} />
            <button type="submit" disabled={busy}>
              Send as customer
            </button>
          </Form>
          {simulated ? (
            <div className="stack" data-testid="simulated">
              <p>
                <strong>Customer:</strong> {simulated.text}
              </p>
              <p>
                <strong>Reply:</strong>{" "}
                {simulated.reply ?? <span className="muted">no reply (see status)</span>}
              </p>
            </div>
          ) : null}
          {fakeReplies.length > 0 ? (
            <details>
              <summary>Replies recorded by the fake Graph API ({fakeReplies.length})</summary>
              <ul>
                {fakeReplies.map((m) => (
                  <li key={m.id}>
                    {formatDateTime(m.at)} → {m.to}: {m.text}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}

      {loaderData.failed.length > 0 ? (
        <>
          <h2>Failed deliveries</h2>
          <p className="muted">
            Replies that could not be sent or that WhatsApp reported as not delivered. You get one email per
            streak of failures, until a reply is delivered again.
          </p>
          <DataTable
            caption="Failed WhatsApp deliveries"
            columns={["Time", "Number", "Conversation", "Reason"]}
            data-testid="whatsapp-failed"
          >
            {loaderData.failed.map((m) => (
              <tr key={`${m.direction}-${m.id}`}>
                <td>{formatDateTime(m.sentAt)}</td>
                <td>
                  <code>{m.phoneNumberId ?? ""}</code>
                </td>
                <td>
                  <code>{m.contact}</code>
                </td>
                <td className="muted">{m.error ?? "failed"}</td>
              </tr>
            ))}
          </DataTable>
        </>
      ) : null}

      <h2>Recent messages</h2>
      <DataTable
        caption="Recent WhatsApp messages (metadata only)"
        columns={["Time", "Number", "Direction", "Conversation", "Type", "Status", "Note"]}
        empty={messages.length === 0 ? "No messages yet." : null}
      >
        {messages.map((m) => (
          <tr key={`${m.direction}-${m.id}`}>
            <td>{formatDateTime(m.sentAt)}</td>
            <td>
              <code>{m.phoneNumberId ?? ""}</code>
            </td>
            <td>{m.direction === "in" ? "received" : "sent"}</td>
            <td>
              <code>{m.contact}</code>
            </td>
            <td>{m.type}</td>
            <td>
              <span className={`badge${m.status === "failed" || m.status === "no_credit" ? " bad" : ""}`}>
                {m.status}
              </span>
            </td>
            <td className="muted">{m.error ?? ""}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
