// One WhatsApp number's templates section (ADR 065): its templates as Meta reports them, the fallback template
// sent when the 24-hour window has closed (chosen here, with its parameters), what Meta said about the number,
// and the conversations that expired with what was sent instead. Plain forms: no JavaScript needed.
import { Form } from "react-router";
import { formatDateTime } from "#worker/format";
import type { templatesPage } from "#worker/whatsapp/template-routes";
import { DataTable } from "./DataTable";

type Page = Awaited<ReturnType<typeof templatesPage>>;

export function WhatsAppTemplates({
  phoneNumberId,
  page,
  busy,
}: {
  phoneNumberId: string;
  page: Page;
  busy: boolean;
}) {
  const { templates, fallback } = page;
  const choosable = templates.filter((t) => t.status === "APPROVED" && t.usableAsFallback);
  const chosen = fallback ? `${fallback.name}|${fallback.language}` : "";
  return (
    <div className="card" data-testid="whatsapp-templates">
      <h2>Templates of {phoneNumberId}</h2>
      <p className="muted">
        After 24 hours without a message from the customer, WhatsApp only lets you send an approved template.
        The fallback template below goes instead of the AI's answer when the window has closed (or when
        WhatsApp refuses a reply for that reason); without one, the message is marked expired.
      </p>
      <p className="muted">
        {page.syncedAt ? `Read from Meta ${formatDateTime(page.syncedAt)}.` : "Not read from Meta yet."}
        {page.syncError ? (
          <>
            {" "}
            The last sync failed: <code>{page.syncError}</code>
          </>
        ) : null}
      </p>
      <Form method="post" className="inline">
        <input type="hidden" name="intent" value="sync-templates" />
        <input type="hidden" name="phoneNumberId" value={phoneNumberId} />
        <button type="submit" disabled={busy}>
          Sync templates from Meta
        </button>
      </Form>
      <DataTable
        caption={`Message templates of ${phoneNumberId}`}
        columns={["Template", "Language", "Status", "Parameters", "Body"]}
        empty={templates.length === 0 ? "No templates. Create them in WhatsApp Manager, then sync." : null}
        data-testid="whatsapp-template-list"
      >
        {templates.map((t) => (
          <tr key={`${t.name}|${t.language}`}>
            <td>
              <code>{t.name}</code>
            </td>
            <td>{t.language}</td>
            <td>
              <span className={`badge${t.status === "APPROVED" ? "" : " bad"}`}>{t.status}</span>
              {t.reason ? <span className="muted"> {t.reason}</span> : null}
            </td>
            <td>{t.parameters.length}</td>
            <td className="muted">{t.body ?? ""}</td>
          </tr>
        ))}
      </DataTable>

      <h3>Fallback template</h3>
      {fallback && !fallback.active ? (
        <div className="alert error" role="alert" data-testid="fallback-inactive">
          The fallback template <code>{fallback.name}</code> is {fallback.status} at Meta: it is not sent
          until it is approved again. Expired conversations get nothing meanwhile.
        </div>
      ) : null}
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="fallback" />
        <input type="hidden" name="phoneNumberId" value={phoneNumberId} />
        <label>
          Template sent when the 24-hour window has closed
          <select name="template" defaultValue={chosen}>
            <option value="">None — mark the message expired</option>
            {fallback && !choosable.some((t) => `${t.name}|${t.language}` === chosen) ? (
              <option value={chosen}>
                {fallback.name} ({fallback.language}) — {fallback.status}
              </option>
            ) : null}
            {choosable.map((t) => (
              <option key={`${t.name}|${t.language}`} value={`${t.name}|${t.language}`}>
                {t.name} ({t.language}), {t.parameters.length} parameter{t.parameters.length === 1 ? "" : "s"}
              </option>
            ))}
          </select>
        </label>
        <label>
          Parameters, one per line, in the body's order ({"{{profile_name}}"} becomes the customer's WhatsApp
          name)
          <textarea
            name="parameters"
            rows={3}
            maxLength={20_000}
            defaultValue={fallback?.parameters.join("\n") ?? ""}
          />
        </label>
        <div className="inline">
          <button type="submit" disabled={busy}>
            Save fallback
          </button>
        </div>
      </Form>

      <h3>What Meta told about this number</h3>
      <DataTable
        caption={`Notices from Meta about ${phoneNumberId}`}
        columns={["Time", "Kind", "Notice"]}
        empty={
          page.events.length === 0 ? "Nothing yet: no template changes, quality updates or alerts." : null
        }
        data-testid="whatsapp-number-events"
      >
        {page.events.map((e) => (
          <tr key={`${e.at}-${e.summary}`}>
            <td>{formatDateTime(e.at)}</td>
            <td>{EVENT_KIND[e.field]}</td>
            <td>{e.summary}</td>
          </tr>
        ))}
      </DataTable>

      <h3>Expired conversations</h3>
      <DataTable
        caption={`Conversations of ${phoneNumberId} whose 24-hour window closed before a reply`}
        columns={["Received", "Conversation", "Sent instead", "Sent at", "Delivery"]}
        empty={page.expired.length === 0 ? "None." : null}
        data-testid="whatsapp-expired"
      >
        {page.expired.map((x) => (
          <tr key={x.messageId}>
            <td>{formatDateTime(x.receivedAt)}</td>
            <td>
              <code>{x.contact}</code>
            </td>
            <td>{x.template ? <code>{x.template}</code> : <span className="muted">nothing</span>}</td>
            <td>{x.templateSentAt ? formatDateTime(x.templateSentAt) : ""}</td>
            <td>{x.deliveryStatus ? <span className="badge">{x.deliveryStatus}</span> : ""}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

const EVENT_KIND = {
  message_template_status_update: "Template",
  phone_number_quality_update: "Quality",
  account_alerts: "Alert",
} as const;
