// /dashboard/requests/:id: one request's metadata and — only when it was logged, and only when asked —
// its decrypted content.
import { Link } from "react-router";
import { formatMicros } from "#worker/billing/money";
import { getDb } from "#worker/db";
import { AppError } from "#worker/errors";
import { formatDateTime, formatInt } from "#worker/format";
import { hasContent, readContent } from "#worker/request-log/content";
import { getRequest } from "#worker/request-log/entries";
import { flushUsage } from "#worker/usage/record";
import { CopyButton } from "../../components/CopyButton";
import { Facts } from "../../components/Facts";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/request";

export const meta: Route.MetaFunction = () => [{ title: "Request — Botmara" }];

/** Rows are written just after their response, so a request made a moment ago gets a few short looks. */
const LOOKS = 8;
const LOOK_INTERVAL_MS = 150;

async function findRequest(env: Env, accountId: string, id: string) {
  for (let look = 1; ; look++) {
    await flushUsage(env, accountId);
    try {
      return await getRequest(env, getDb(env.DB), accountId, id);
    } catch (error) {
      if (!(error instanceof AppError && error.status === 404)) throw error;
      if (look >= LOOKS) throw new Response("Not found", { status: 404 });
      await new Promise((resolve) => setTimeout(resolve, LOOK_INTERVAL_MS));
    }
  }
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const entry = await findRequest(env, session.accountId, params.id);
  const wantContent = new URL(request.url).searchParams.get("content") === "1";
  const content = wantContent ? await readContent(env, session.accountId, entry) : null;
  const logged = wantContent ? content !== null : await hasContent(env, session.accountId, entry);
  return { entry, logged, content, wantContent };
}

/** JSON text pretty-printed when it parses; anything else as it is. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Tokens a second: one decimal below 10 (a slow model's 2.5 reads as such), whole numbers above. */
const formatSpeed = (n: number) => (n < 10 ? n.toFixed(1) : formatInt(n));

/** What a status we answered means, for a row that carries no message of its own. */
const STATUS_MEANS: Record<number, string> = {
  400: "The request was not valid.",
  401: "The key was refused.",
  402: "The account's credit or the key's spend limit did not cover it.",
  404: "The model or the route is not one we serve.",
  413: "The request body was too large.",
  429: "Too many requests: a rate limit was reached.",
  499: "The client closed the connection before the answer ended.",
  502: "The provider failed, or its stream broke off after the answer began.",
  503: "The provider was unavailable.",
  504: "The provider did not answer in time.",
};

export default function RequestDetail({ loaderData: d }: Route.ComponentProps) {
  const r = d.entry;
  const failed = r.status >= 400;
  const rows: [string, React.ReactNode][] = [
    [
      "Request id",
      <span key="id" className="inline">
        <code>{r.id}</code> <CopyButton value={r.id} label="Copy id" />
      </span>,
    ],
    ["Time", formatDateTime(r.createdAt, true)],
    [
      "Status we answered",
      <span key="s" className={failed ? "badge bad" : "badge"} data-testid="status">
        {r.status}
      </span>,
    ],
    ...(failed
      ? ([
          ["Error code", r.errorCode ? <code key="c">{r.errorCode}</code> : "—"],
          [
            "Error message",
            <span key="m" data-testid="error-message">
              {r.errorMessage ?? STATUS_MEANS[r.status] ?? "The request failed."}
            </span>,
          ],
        ] as [string, React.ReactNode][])
      : []),
    ["Endpoint", r.endpoint],
    ["Model", r.model ? <code key="m">{r.model}</code> : "none (refused before a model was named)"],
    ["Fallback used", r.fallbackUsed ? `yes — ${r.requestedModel} was asked for` : "no"],
    ["Provider", r.provider],
    ["Key", r.keyLabel],
    ["Streamed", r.streamed ? "yes" : "no"],
    ["Latency", `${formatInt(r.latencyMs)} ms`],
    [
      "Time to first token",
      <span key="ttft" data-testid="first-token">
        {r.firstTokenMs === null
          ? "— (no answer began)"
          : `${formatInt(r.firstTokenMs)} ms${r.streamed ? " (the first event relayed)" : " (the whole answer, at once)"}`}
      </span>,
    ],
    ...(r.outputTokensPerSecond !== null
      ? ([
          [
            "Speed",
            <span key="speed" data-testid="speed">
              {formatSpeed(r.outputTokensPerSecond)} output tokens a second
              {r.streamed && r.firstTokenMs !== null
                ? " (after the first token)"
                : " (over the whole request)"}
            </span>,
          ],
        ] as [string, React.ReactNode][])
      : []),
    ["Input tokens", formatInt(r.inputTokens)],
    ["Of which cached (read from the prompt cache)", formatInt(r.cachedInputTokens)],
    ["Of which cache writes", formatInt(r.cacheWriteTokens)],
    [
      "Output tokens",
      `${formatInt(r.outputTokens)}${r.estimated ? " (estimated: the stream ended early)" : ""}`,
    ],
    ["Cost", formatMicros(r.costMicros)],
  ];
  return (
    <>
      <p>
        <Link to="/dashboard/requests">← Request log</Link>
      </p>
      <h1>Request {r.id.slice(0, 8)}</h1>
      <div className="card">
        <Facts rows={rows} />
      </div>
      <div className="card">
        <h2>Content</h2>
        {!d.logged ? (
          <p className="muted">
            Not kept: content logging was off for this request, or its retention period has passed. Usage
            metadata (above) is all we hold.
          </p>
        ) : d.content ? (
          <>
            <h3>Request</h3>
            <pre className="code-block" data-testid="request-content">
              {pretty(d.content.request)}
            </pre>
            <h3>Response</h3>
            {d.content.responseText !== null ? (
              <>
                <p className="muted">The streamed text:</p>
                <pre className="code-block">{d.content.responseText}</pre>
                <details>
                  <summary>Raw event stream</summary>
                  <pre className="code-block">{d.content.response}</pre>
                </details>
              </>
            ) : (
              <pre className="code-block" data-testid="response-content">
                {pretty(d.content.response)}
              </pre>
            )}
          </>
        ) : (
          <p>
            This request was logged, encrypted with your account's key.{" "}
            <Link to="?content=1">Show its prompt and response</Link>
          </p>
        )}
      </div>
    </>
  );
}
