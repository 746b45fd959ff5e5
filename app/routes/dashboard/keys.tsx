import { Form, useNavigation } from "react-router";
import { z } from "zod";
import { getDb } from "../../../worker/db";
import { createKey, listKeys, revokeKey } from "../../../worker/keys/service";
import { CopyButton } from "../../components/CopyButton";
import { Field, FormError } from "../../components/Field";
import { formatDate, formatDateTime } from "../../lib/format";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/keys";

export const meta: Route.MetaFunction = () => [{ title: "API keys — Botmara" }];

const KeyAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), name: z.string().trim().min(1, "Give the key a name.").max(100) }),
  z.object({ intent: z.literal("revoke"), id: z.string().min(1).max(64) }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const session = await requireUser(request, context.cloudflare.env);
  return { keys: await listKeys(getDb(context.cloudflare.env.DB), session.accountId) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const session = await requireUser(request, context.cloudflare.env);
  const db = getDb(context.cloudflare.env.DB);
  return formAction(async () => {
    const input = await parseForm(request, KeyAction);
    if (input.intent === "create") {
      const created = await createKey(db, session.accountId, { name: input.name });
      return { created: { name: created.name, key: created.key } };
    }
    await revokeKey(db, session.accountId, input.id);
    return { revoked: input.id };
  });
}

export default function Keys({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const created = actionData && "created" in actionData ? actionData.created : null;
  const error = actionData && "error" in actionData ? actionData.error.message : null;
  return (
    <>
      <h1>API keys</h1>
      {created ? (
        <div className="alert success" role="status">
          <p>
            <strong>{created.name}</strong> is ready. Copy the key now — it will not be shown again.
          </p>
          <div className="secret">
            <code data-testid="new-key">{created.key}</code>
            <CopyButton value={created.key} />
          </div>
        </div>
      ) : null}
      <FormError message={error} />
      <div className="card">
        <h2>Create a key</h2>
        <Form method="post" className="inline">
          <input type="hidden" name="intent" value="create" />
          <Field label="Name" name="name" placeholder="e.g. production server" required maxLength={100} />
          <button type="submit" disabled={busy}>
            Create key
          </button>
        </Form>
      </div>
      <table>
        <caption className="sr-only">Your API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {loaderData.keys.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted">
                No keys yet.
              </td>
            </tr>
          ) : null}
          {loaderData.keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{formatDate(k.createdAt)}</td>
              <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "never"}</td>
              <td>
                {k.revokedAt ? (
                  <span className="badge bad">revoked</span>
                ) : (
                  <span className="badge">active</span>
                )}
              </td>
              <td>
                {k.revokedAt ? null : (
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="id" value={k.id} />
                    <button type="submit" className="danger" aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
