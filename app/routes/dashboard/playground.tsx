// /dashboard/playground: pick a model, set a system prompt, temperature and token limit, and hold a conversation
// of several turns, each answer with its tokens and cost; "View code" gives the same request as curl, Python or
// TypeScript. It spends the account's credit through the gateway and shows up in the request log. With
// JavaScript the answer streams; without it the form posts and the whole answer comes back at once (the
// conversation travels in a hidden field, so turns work either way).
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { availableModels } from "#worker/ai/catalogue";
import { formatMicros } from "#worker/billing/money";
import { getConfig } from "#worker/config";
import { formatInt } from "#worker/format";
import { Field, FormError, TextAreaField } from "../../components/Field";
import { Snippets } from "../../components/Snippets";
import { formState } from "../../lib/form-state";
import { formAction, parseForm } from "../../lib/forms.server";
import {
  answerTurn,
  type ChatUsage,
  MAX_TOKENS_MAX,
  type PlaygroundModel,
  PROMPT_MAX,
  SYSTEM_MAX,
  TEMPERATURE_MAX,
  type Turn,
} from "../../lib/playground";
import { PlaygroundForm, playgroundCall } from "../../lib/playground.server";
import { requireUser } from "../../lib/session.server";
import { chatSnippets } from "../../lib/snippets";
import type { Route } from "./+types/playground";

export const meta: Route.MetaFunction = () => [{ title: "Playground — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  await requireUser(request, env);
  const models: PlaygroundModel[] = availableModels(getConfig(env))
    .filter((m) => m.kind === "chat")
    .map((m) => ({
      id: m.id,
      inputMicrosPerM: m.inputMicrosPerM,
      outputMicrosPerM: m.outputMicrosPerM,
      cachedInputMicrosPerM: m.cachedInputMicrosPerM,
      cacheWriteMicrosPerM: m.cacheWriteMicrosPerM,
    }));
  return { models, origin: new URL(request.url).origin };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env, ctx } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    const input = await parseForm(request, PlaygroundForm);
    const res = await playgroundCall(env, ctx, session.accountId, input, false, context.requestId);
    const body = (await res.json()) as {
      choices?: { message?: { content?: string | null } }[];
      usage?: ChatUsage;
    };
    const model = availableModels(getConfig(env)).find((m) => m.id === input.model);
    const answer = answerTurn(
      body.choices?.[0]?.message?.content ?? "",
      res.headers.get("x-request-id"),
      model,
      body.usage,
    );
    return {
      turns: [...input.history, { role: "user" as const, content: input.prompt }, answer],
      values: {
        model: input.model,
        system: input.system,
        temperature: input.temperature === undefined ? "" : String(input.temperature),
        maxTokens: input.maxTokens === undefined ? "" : String(input.maxTokens),
      },
    };
  }, request);
}

/** Reads the gateway's SSE, handing each text delta to `onText` and the last chunk's usage to `onUsage`. */
async function readStream(res: Response, onText: (text: string) => void, onUsage: (u: ChatUsage) => void) {
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
        const event = JSON.parse(data) as {
          choices?: { delta?: { content?: string | null } }[];
          usage?: ChatUsage | null;
        };
        const piece = event.choices?.[0]?.delta?.content;
        if (piece) onText(piece);
        if (event.usage) onUsage(event.usage);
      } catch {
        // not a JSON event: nothing to show
      }
    }
  }
}

/** The form's settings as the snippets need them. */
type Settings = { model: string; system: string; temperature: string; maxTokens: string; prompt: string };

function settingsOf(form: HTMLFormElement): Settings {
  const f = new FormData(form);
  const text = (name: string) => String(f.get(name) ?? "");
  return {
    model: text("model"),
    system: text("system"),
    temperature: text("temperature"),
    maxTokens: text("maxTokens"),
    prompt: text("prompt"),
  };
}

function TurnView({ turn, streaming }: { turn: Turn; streaming: boolean }) {
  if (turn.role === "user") {
    return (
      <div className="turn user">
        <h3 className="sr-only">You</h3>
        <pre className="code-block">{turn.content}</pre>
      </div>
    );
  }
  return (
    <div className="turn assistant">
      <h3 className="sr-only">Answer</h3>
      <pre className="code-block" data-testid="answer" aria-live="polite">
        {turn.content}
      </pre>
      {streaming ? null : (
        <p className="muted" data-testid="answer-usage">
          {formatInt(turn.inputTokens ?? 0)} input + {formatInt(turn.outputTokens ?? 0)} output tokens ·{" "}
          {formatMicros(turn.costMicros ?? 0)}
          {turn.requestId ? (
            <>
              {" "}
              · <Link to={`/dashboard/requests/${turn.requestId}`}>See this request in the log</Link>
            </>
          ) : null}
        </p>
      )}
    </div>
  );
}

export default function Playground({ loaderData, actionData }: Route.ComponentProps) {
  const { models, origin } = loaderData;
  const state = formState(actionData);
  const served = actionData && "turns" in actionData ? actionData : null;
  const values: Record<string, string> = { ...state.values, ...(served?.values ?? {}) };
  // After a refused form the conversation so far comes back as it was sent.
  const keptTurns = (): Turn[] => {
    if (served) return served.turns;
    try {
      return state.values.history ? (JSON.parse(state.values.history) as Turn[]) : [];
    } catch {
      return [];
    }
  };
  const [turns, setTurns] = useState<Turn[] | null>(null);
  const shownTurns = turns ?? keptTurns();
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [settings, setSettings] = useState<Settings>({
    model: values.model ?? models[0]?.id ?? "",
    system: values.system ?? "",
    temperature: values.temperature ?? "",
    maxTokens: values.maxTokens ?? "",
    prompt: served ? "" : (values.prompt ?? ""),
  });

  async function stream(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const prompt = String(data.get("prompt") ?? "").trim();
    if (!prompt) return;
    const before = shownTurns;
    const model = models.find((m) => m.id === data.get("model"));
    setStreaming(true);
    setError(null);
    setTurns([...before, { role: "user", content: prompt }, { role: "assistant", content: "" }]);
    const replaceAnswer = (answer: Turn) => setTurns([...before, { role: "user", content: prompt }, answer]);
    let text = "";
    let usage: ChatUsage | null = null;
    try {
      const res = await fetch("/dashboard/playground/stream", { method: "POST", body: data });
      const requestId = res.headers.get("x-request-id");
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        setTurns(before);
        setError(body?.error?.message ?? `Request failed (${res.status}).`);
        return;
      }
      await readStream(
        res,
        (piece) => {
          text += piece;
          replaceAnswer({ role: "assistant", content: text });
        },
        (u) => {
          usage = u;
        },
      );
      replaceAnswer(answerTurn(text, requestId, model, usage));
      (form.elements.namedItem("prompt") as HTMLTextAreaElement).value = "";
      setSettings(settingsOf(form));
    } catch {
      setTurns(before);
      setError("The connection broke off; try again.");
    } finally {
      setStreaming(false);
    }
  }

  const temperature = Number(settings.temperature);
  const maxTokens = Number(settings.maxTokens);
  const snippets = chatSnippets({
    origin,
    model: settings.model,
    messages: [
      ...(settings.system.trim() ? [{ role: "system" as const, content: settings.system.trim() }] : []),
      ...shownTurns.map((t) => ({ role: t.role, content: t.content })),
      { role: "user" as const, content: settings.prompt.trim() || "Hello!" },
    ],
    ...(settings.temperature !== "" && Number.isFinite(temperature) ? { temperature } : {}),
    ...(settings.maxTokens !== "" && Number.isInteger(maxTokens) ? { maxTokens } : {}),
  });
  const spent = shownTurns.reduce((n, t) => n + (t.costMicros ?? 0), 0);
  return (
    <>
      <h1>Playground</h1>
      <p className="muted">
        Each answer is a real request: it is charged to your credit at the{" "}
        <Link to="/dashboard/models">listed prices</Link> and appears in the{" "}
        <Link to="/dashboard/requests">request log</Link>.
      </p>
      <noscript>
        <p className="alert">
          Streaming needs JavaScript: without it, each answer appears whole once it is finished.
        </p>
      </noscript>
      <FormError message={error ?? state.error} />
      {shownTurns.length > 0 ? (
        <section className="card stack" aria-labelledby="conversation-title" aria-busy={streaming}>
          <h2 id="conversation-title">Conversation</h2>
          {shownTurns.map((t, i) => (
            <TurnView
              // biome-ignore lint/suspicious/noArrayIndexKey: turns are only ever appended
              key={i}
              turn={t}
              streaming={streaming && i === shownTurns.length - 1}
            />
          ))}
          <p className="muted">
            {Math.ceil(shownTurns.length / 2)} {shownTurns.length > 2 ? "turns" : "turn"} ·{" "}
            {formatMicros(spent)} in all ·{" "}
            <Link to="/dashboard/playground" reloadDocument>
              New conversation
            </Link>
          </p>
        </section>
      ) : null}
      <form
        method="post"
        className="stack card"
        onSubmit={stream}
        onChange={(e) => setSettings(settingsOf(e.currentTarget))}
      >
        <input type="hidden" name="history" value={JSON.stringify(shownTurns)} />
        <label>
          Model
          <select name="model" defaultValue={settings.model}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id} — {formatMicros(m.inputMicrosPerM)} in / {formatMicros(m.outputMicrosPerM)} out per 1M
                tokens
              </option>
            ))}
          </select>
        </label>
        <TextAreaField
          label="System prompt (optional)"
          name="system"
          rows={2}
          maxLength={SYSTEM_MAX}
          defaultValue={settings.system}
          hint="Instructions the model follows for the whole conversation."
          error={state.fields.system}
        />
        <div className="grid">
          <Field
            label="Temperature (optional)"
            name="temperature"
            type="number"
            inputMode="decimal"
            min={0}
            max={TEMPERATURE_MAX}
            step="any"
            defaultValue={settings.temperature}
            hint={`0 to ${TEMPERATURE_MAX}; empty is the model's default.`}
            error={state.fields.temperature}
          />
          <Field
            label="Max tokens (optional)"
            name="maxTokens"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_TOKENS_MAX}
            step={1}
            defaultValue={settings.maxTokens}
            hint="The longest answer; empty is the model's limit."
            error={state.fields.maxTokens}
          />
        </div>
        <TextAreaField
          label={shownTurns.length ? "Your next message" : "Prompt"}
          name="prompt"
          rows={5}
          required
          maxLength={PROMPT_MAX}
          defaultValue={settings.prompt}
          hint={`Up to ${PROMPT_MAX.toLocaleString("en-US")} characters.`}
          error={state.fields.prompt}
        />
        <div>
          <button type="submit" disabled={streaming}>
            {streaming ? "Answering…" : "Send"}
          </button>
        </div>
      </form>
      <details className="card">
        <summary>View code</summary>
        <p className="muted">
          This conversation as one request with your settings; the key is read from{" "}
          <code>BOTMARA_API_KEY</code> (<Link to="/dashboard/keys">create one</Link>).
        </p>
        <Snippets snippets={snippets} />
      </details>
    </>
  );
}
