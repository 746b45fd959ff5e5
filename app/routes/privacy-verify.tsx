// /privacy/verify (public): paste or upload a deletion receipt or export manifest and see whether this
// service signed it, why or why not, and what it says in plain words. Works without JavaScript.
import { data, Form, useNavigation } from "react-router";
import { getConfig } from "#worker/config";
import { AppError } from "#worker/errors";
import { readableReceipt } from "#worker/privacy/receipts/readable";
import { checkReceipt, KEYS_PATH } from "#worker/privacy/receipts/receipt";
import { ReadableReceipt } from "../components/ReadableReceipt";
import { SiteHeader } from "../components/SiteHeader";
import { readForm } from "../lib/forms.server";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/privacy-verify";

export const meta: Route.MetaFunction = () => [{ title: "Verify a receipt — Botmara" }];

const MAX_BYTES = 200_000;

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  return { appName: getConfig(env).appName, signedIn: Boolean(await getSession(request, env)) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  let form: FormData;
  try {
    form = await readForm(request);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return data({ problem: error.message, pasted: "" }, { status: error.status });
  }
  const file = form.get("file");
  const pasted = String(form.get("receipt") ?? "");
  const uploaded = file instanceof File && file.size > 0 ? file : null;
  // What was pasted goes back into the box, so a page without JavaScript keeps it after the answer.
  const kept = pasted.slice(0, MAX_BYTES);
  if (uploaded && uploaded.size > MAX_BYTES)
    return { problem: "That file is too large to be a receipt.", pasted: kept };
  const text = (uploaded ? await uploaded.text() : pasted).trim();
  if (!text) return { problem: "Paste a receipt or choose its file.", pasted: kept };
  if (text.length > MAX_BYTES) return { problem: "That is too long to be a receipt.", pasted: kept };
  const check = await checkReceipt(env, text);
  const kind = String(check.signed?.kind ?? "");
  return {
    pasted: kept,
    check: { valid: check.valid, reason: check.reason, format: check.format, kid: check.kid, kind },
    readable:
      check.valid && kind.startsWith("botmara-deletion-receipt/") ? readableReceipt(check.signed!) : null,
    manifest:
      check.valid && kind.startsWith("botmara-export-manifest/")
        ? (check.signed as { requestId: string; generatedAt: string; counts: Record<string, number> })
        : null,
  };
}

export default function Verify({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const check = actionData && "check" in actionData ? actionData.check : undefined;
  const result = check && actionData && "check" in actionData ? { ...actionData, check } : null;
  const problem = actionData && "problem" in actionData ? actionData.problem : null;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={loaderData.signedIn} />
      <main id="main" className="prose">
        <h1>Verify a receipt</h1>
        <p>
          Deletion receipts and export manifests are signed with an Ed25519 key whose public half is published
          at <a href={KEYS_PATH}>{KEYS_PATH}</a>. Check one here, or offline with the script in our README —
          you do not need to trust us to check it.
        </p>
        <Form method="post" encType="multipart/form-data" className="stack card">
          <label>
            Paste the signed receipt (the compact JWS from the email, or the whole receipt JSON)
            <textarea
              name="receipt"
              rows={6}
              maxLength={MAX_BYTES}
              spellCheck={false}
              defaultValue={actionData?.pasted ?? ""}
            />
          </label>
          <label>
            …or upload the receipt file
            <input type="file" name="file" accept=".json,.jws,.txt,application/json,text/plain" />
          </label>
          <div>
            <button type="submit" disabled={busy}>
              Verify
            </button>
          </div>
        </Form>
        {problem ? (
          <p className="alert error" role="alert">
            {problem}
          </p>
        ) : null}
        {result ? (
          <section aria-labelledby="result" className="block">
            <h2 id="result">{result.check.valid ? "Valid" : "Not valid"}</h2>
            <p className={result.check.valid ? "alert success" : "alert error"} role="status">
              {result.check.reason}
            </p>
            {result.readable ? <ReadableReceipt receipt={result.readable} /> : null}
            {result.manifest ? (
              <div>
                <p>
                  Export <span className="mono">{result.manifest.requestId}</span>, generated{" "}
                  {result.manifest.generatedAt}, with these record counts:
                </p>
                <ul>
                  {Object.entries(result.manifest.counts).map(([holder, n]) => (
                    <li key={holder}>
                      {holder}: {n}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </section>
        ) : null}
      </main>
    </>
  );
}
