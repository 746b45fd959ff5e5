// /dashboard/playground: pick a model, write a prompt, read the answer as it streams. It spends the account's
// credit through the gateway and shows up in the request log. Without JavaScript the form posts and the whole
// answer comes back at once.
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { availableModels } from "#worker/ai/catalogue";
import { formatMicros } from "#worker/billing/money";
import { getConfig } from "#worker/config";
import { FormError, TextAreaField } from "../../components/Field";
import { formState } from "../../lib/form-state";
import { formAction, parseForm } from "../../lib/forms.server";
import { PROMPT_MAX } from "../../lib/playground";
import { PlaygroundForm, playgroundCall } from "../../lib/playground.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/playground";

export const meta: Route.MetaFunction = () => [{ title: "Playground — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  await requireUser(request, env);
  const models = availableModels(getConfig(env))
    .filter((m) => m.kind === "chat")
    .map((m) => ({ id: m.id, input: m.inputMicrosPerM, output: m.outputMicrosPerM }));
  return { models };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env, ctx } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    const input = await parseForm(request, PlaygroundForm);
    const res = await playgroundCall(env, ctx, session.accountId, input, false, context.requestId);
    const body = (await res.json()) as {
      choices?: { message?: { content?: string | null } }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    return {
      answer: body.choices?.[0]?.message?.content ?? "",
      requestId: res.headers.get("x-request-id"),
      usage: body.usage ?? null,
      values: { model: input.model, prompt: input.prompt },
    };
  }, request);
}

type Answer = { text: string; requestId: string | null; done: boolean; error: string | null };

/** Reads the gateway's SSE, handing each text delta to `onText`. */
async function readStream(res: Response, onText: (text: string) => void) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      const data = line.startsWith("data:") ? line.slice(5).trim() : "";
      if (!data || data === "[DONE]") continue;
      try {
        const event = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] };
        const piece = event.choices?.[0]?.delta?.content;
        if (piece) onText(piece);
      } catch {
        // not a JSON event: nothing to show
      }
    }
  }
}

export default function Playground({ loaderData, actionData }: Route.ComponentProps) {
  const state = formState(actionData);
  const served = actionData && "answer" in actionData ? actionData : null;
  const values = served?.values ?? state.values;
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [busy, setBusy] = useState(false);

  async function stream(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setAnswer({ text: "", requestId: null, done: false, error: null });
    try {
      const res = await fetch("/dashboard/playground/stream", { method: "POST", body: form });
      const requestId = res.headers.get("x-request-id");
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        setAnswer({
          text: "",
          requestId,
          done: true,
          error: body?.error?.message ?? `Request failed (${res.status}).`,
        });
        return;
      }
      await readStream(res, (piece) => setAnswer((a) => ({ ...a!, requestId, text: a!.text + piece })));
      setAnswer((a) => ({ ...a!, requestId, done: true }));
    } catch {
      setAnswer((a) => ({ ...a!, done: true, error: "The connection broke off; try again." }));
    } finally {
      setBusy(false);
    }
  }

  const shown: Answer | null =
    answer ?? (served ? { text: served.answer, requestId: served.requestId, done: true, error: null } : null);
  return (
    <>
      <h1>Playground</h1>
      <p className="muted">
        Each answer is a real request: it is charged to your credit at the{" "}
        <Link to="/dashboard/models">listed prices</Link> and appears in the{" "}
        <Link to="/dashboard/requests">request log</Link>.
      </p>
      <FormError message={state.error} />
      <form method="post" className="stack card" onSubmit={stream}>
        <label>
          Model
          <select name="model" defaultValue={values.model ?? loaderData.models[0]?.id}>
            {loaderData.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id} — {formatMicros(m.input)} in / {formatMicros(m.output)} out per 1M tokens
              </option>
            ))}
          </select>
        </label>
        <TextAreaField
          label="Prompt"
          name="prompt"
          rows={6}
          required
          maxLength={PROMPT_MAX}
          defaultValue={values.prompt ?? ""}
          hint={`Up to ${PROMPT_MAX.toLocaleString("en-US")} characters. One message, no history.`}
          error={state.fields.prompt}
        />
        <div>
          <button type="submit" disabled={busy}>
            {busy ? "Answering…" : "Send"}
          </button>
        </div>
      </form>
      {shown ? (
        <section className="card" aria-labelledby="answer-title" aria-busy={!shown.done}>
          <h2 id="answer-title">Answer</h2>
          {shown.error ? (
            <div className="alert error" role="alert">
              {shown.error}
            </div>
          ) : (
            <pre className="code-block" data-testid="answer" aria-live="polite">
              {shown.text}
            </pre>
          )}
          {shown.done && shown.requestId ? (
            <p className="muted">
              <Link to={`/dashboard/requests/${shown.requestId}`}>See this request in the log</Link>
            </p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
