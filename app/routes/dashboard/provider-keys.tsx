// /dashboard/provider-keys: bring your own key. The keys stored for this account by their prefix (never the key),
// storing or replacing one (the password, or a re-authentication in the last ten minutes: sudo, as the API asks),
// the platform-key fallback switch, and deleting. The same services as /api/provider-keys; no JavaScript needed.
import { Form, useNavigation } from "react-router";
import { z } from "zod";
import { inSudoWindow, requireSudo } from "#worker/accounts/sudo";
import { providerLabel } from "#worker/ai/catalogue";
import type { ProviderId } from "#worker/ai/providers/types";
import { getDb } from "#worker/db";
import { AppError } from "#worker/errors";
import { formatDate } from "#worker/format";
import {
  deleteProviderKey,
  listProviderKeys,
  putProviderKey,
  setPlatformFallback,
} from "#worker/provider-keys/service";
import { ProviderParam } from "#worker/provider-keys/views";
import { DataTable } from "../../components/DataTable";
import { Field, FormError, SelectField } from "../../components/Field";
import { formState, useResetAfterSuccess } from "../../lib/form-state";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/provider-keys";

export const meta: Route.MetaFunction = () => [{ title: "Provider keys — Botmara" }];

/** The providers a customer may bring a key for: the API's own list. */
const PROVIDERS = ProviderParam.shape.provider.options;
const Provider = z.enum(PROVIDERS);

/** A checkbox posts "true" after its hidden "false", so the last value wins and unticked means false. */
const flag = z.enum(["true", "false"]).transform((v) => v === "true");

const ProviderKeyAction = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("save"),
    provider: Provider,
    key: z
      .string()
      .trim()
      .min(8, "A key has at least 8 characters.")
      .max(512)
      .regex(/^\S+$/, "A key has no spaces."),
    allowPlatformFallback: flag,
    password: z.string().max(1024).optional(),
  }),
  z.object({ intent: z.literal("fallback"), provider: Provider, allowPlatformFallback: flag }),
  z.object({ intent: z.literal("delete"), provider: Provider }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return {
    keys: (await listProviderKeys(getDb(env.DB), session.accountId)).map((k) => ({
      ...k,
      label: providerLabel(k.provider as ProviderId),
    })),
    providers: PROVIDERS.map((p) => ({ value: p, label: providerLabel(p as ProviderId) })),
    recentlyReauthenticated: inSudoWindow(session),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  return formAction(async () => {
    const input = await parseForm(request, ProviderKeyAction);
    if (input.intent === "save") {
      try {
        await requireSudo(env, session, input.password || undefined, request.headers);
      } catch (error) {
        // Shown beside the password field.
        if (error instanceof AppError && error.options.code === "reauth_required")
          throw new AppError(401, error.message, { code: "reauth_required", param: "password" });
        throw error;
      }
      const saved = await putProviderKey(env, db, session.accountId, input.provider, {
        key: input.key,
        allowPlatformFallback: input.allowPlatformFallback,
      });
      return { done: "saved" as const, provider: saved.provider, prefix: saved.prefix };
    }
    if (input.intent === "fallback") {
      await setPlatformFallback(db, session.accountId, input.provider, input.allowPlatformFallback);
      return { done: "fallback" as const, provider: input.provider };
    }
    await deleteProviderKey(db, session.accountId, input.provider);
    return { done: "deleted" as const, provider: input.provider };
  }, request);
}

export default function ProviderKeys({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  const resetRef = useResetAfterSuccess(actionData);
  const done = actionData && "done" in actionData ? actionData : null;
  const { keys, providers, recentlyReauthenticated } = loaderData;
  const labelOf = (p: string) => providers.find((x) => x.value === p)?.label ?? p;
  return (
    <>
      <h1>Provider keys</h1>
      <p className="muted">
        Bring your own key for a provider: that provider's requests then go out with it (your own terms with
        the provider), metered as usual and billed at the platform fee. The key is encrypted with a key unique
        to your account and never shown again — only its first characters, to tell it apart. If the provider
        refuses it, the request fails with <code>byok_key_rejected</code>, unless you allow the platform's key
        as a fallback (billed at list price).
      </p>
      {done ? (
        <p className="alert success" role="status">
          {done.done === "saved"
            ? `Your ${labelOf(done.provider)} key ${"prefix" in done ? done.prefix : ""} is stored.`
            : done.done === "fallback"
              ? `The fallback setting for your ${labelOf(done.provider)} key is saved.`
              : `Your ${labelOf(done.provider)} key is deleted: its requests use the platform's key again.`}
        </p>
      ) : null}
      <FormError message={form.error} />

      <h2>Your keys</h2>
      <DataTable
        className="cards"
        data-testid="provider-keys"
        caption="Your provider keys"
        columns={["Provider", "Key", "Stored", "If the provider refuses it", "Delete"]}
        empty={keys.length === 0 ? "No keys stored: every request uses the platform's keys." : undefined}
      >
        {keys.map((k) => (
          <tr key={k.provider}>
            <td data-label="Provider">{k.label}</td>
            <td data-label="Key">
              <code>{k.prefix}</code>
            </td>
            <td data-label="Stored">{formatDate(k.createdAt)}</td>
            <td data-label="If the provider refuses it">
              <Form method="post" className="inline">
                <input type="hidden" name="intent" value="fallback" />
                <input type="hidden" name="provider" value={k.provider} />
                <input
                  type="hidden"
                  name="allowPlatformFallback"
                  value={k.allowPlatformFallback ? "false" : "true"}
                />
                <span>{k.allowPlatformFallback ? "Platform key (list price)" : "Fail (424)"}</span>
                <button type="submit" className="secondary" disabled={busy}>
                  {k.allowPlatformFallback ? "Fail instead" : "Allow the platform key"}
                </button>
              </Form>
            </td>
            <td data-label="Delete">
              <Form method="post">
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="provider" value={k.provider} />
                <button
                  type="submit"
                  className="danger"
                  disabled={busy}
                  aria-label={`Delete your ${k.label} key`}
                >
                  Delete
                </button>
              </Form>
            </td>
          </tr>
        ))}
      </DataTable>

      <section className="card" aria-labelledby="store-key">
        <h2 id="store-key">Store or replace a key</h2>
        <Form method="post" className="stack" ref={resetRef} autoComplete="off">
          <input type="hidden" name="intent" value="save" />
          <SelectField
            label="Provider"
            name="provider"
            defaultValue={form.values.provider ?? providers[0]?.value}
            error={form.fields.provider}
          >
            {providers.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
                {keys.some((k) => k.provider === p.value) ? " (replaces the stored key)" : ""}
              </option>
            ))}
          </SelectField>
          <Field
            label="Key"
            name="key"
            type="password"
            autoComplete="off"
            required
            minLength={8}
            maxLength={512}
            error={form.fields.key}
            hint="Pasted once; never shown again."
          />
          <label className="check">
            <input type="hidden" name="allowPlatformFallback" value="false" />
            <input
              type="checkbox"
              name="allowPlatformFallback"
              value="true"
              defaultChecked={form.values.allowPlatformFallback === "true"}
            />
            If the provider refuses this key, send the request with the platform's key (billed at list price)
          </label>
          <Field
            label="Current password"
            name="password"
            type="password"
            autoComplete="current-password"
            maxLength={1024}
            required={!recentlyReauthenticated}
            error={form.fields.password}
            hint={
              recentlyReauthenticated
                ? "Not needed: you re-authenticated in the last ten minutes."
                : "Storing a key needs your password."
            }
          />
          <div>
            <button type="submit" disabled={busy}>
              Store the key
            </button>
          </div>
        </Form>
      </section>
    </>
  );
}
