// /dashboard: the greeting, balance, usage, keys and privacy at a glance, the first steps for a new account,
// and a quickstart (base URL, curl, Python and TypeScript with the openai SDK, the Anthropic SDK, the OpenAPI
// document).
import { Link } from "react-router";
import { getAccount } from "#worker/accounts/service";
import { formatMicros } from "#worker/billing/money";
import { billingOverview } from "#worker/billing/overview";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import { formatInt } from "#worker/format";
import { listKeys } from "#worker/keys/service";
import { readPrivacySettings } from "#worker/settings/store";
import { usageSummary } from "#worker/usage/queries";
import { flushUsage } from "#worker/usage/record";
import { CopyButton } from "../../components/CopyButton";
import { Snippets } from "../../components/Snippets";
import { quickstartModel } from "../../lib/quickstart.server";
import { requireUser } from "../../lib/session.server";
import { chatSnippets } from "../../lib/snippets";
import type { Route } from "./+types/overview";

export const meta: Route.MetaFunction = () => [{ title: "Dashboard — Botmara" }];

const MONTH_MS = 30 * 24 * 3600 * 1000;

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  await flushUsage(env, session.accountId);
  const to = new Date();
  const [account, keys, usage, billing, privacy] = await Promise.all([
    getAccount(db, session.accountId),
    listKeys(db, session.accountId),
    usageSummary(env, db, session.accountId, { from: new Date(to.getTime() - MONTH_MS), to }, "model"),
    billingOverview(env, session.accountId),
    readPrivacySettings(db, session.accountId),
  ]);
  return {
    email: session.email,
    name: account.name,
    activeKeys: keys.filter((k) => !k.revokedAt).length,
    requests: usage.reduce((n, r) => n + r.requests, 0),
    tokens: usage.reduce((n, r) => n + r.inputTokens + r.outputTokens, 0),
    costMicros: usage.reduce((n, r) => n + r.costMicros, 0),
    plan: billing.plan.name,
    balanceMicros: billing.balanceMicros,
    lowBalance: billing.lowBalance,
    privacy,
    origin: new URL(request.url).origin,
    model: quickstartModel(getConfig(env)),
  };
}

/** The Anthropic SDK too: the /v1/messages dialect (the shared snippets speak the OpenAI one). */
function anthropicSnippet(origin: string) {
  return `import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ baseURL: "${origin}", apiKey: process.env.BOTMARA_API_KEY });
const message = await client.messages.create({
  model: "anthropic/claude-3-5-haiku-latest",
  max_tokens: 256,
  messages: [{ role: "user", content: "Hello!" }],
});
console.log(message.content[0].text);`;
}

export default function Overview({ loaderData: d }: Route.ComponentProps) {
  const fresh = d.activeKeys === 0 && d.requests === 0;
  return (
    <>
      <h1>Welcome, {d.name ?? d.email}</h1>
      {fresh ? (
        <section className="card" aria-labelledby="first-steps">
          <h2 id="first-steps">Get started in three steps</h2>
          <ol>
            <li>
              <Link to="/dashboard/keys">Create an API key</Link> — it is shown once, so copy it.
            </li>
            <li>
              Call the API with one of the snippets below, or try a model in the{" "}
              <Link to="/dashboard/playground">playground</Link> first.
            </li>
            <li>
              Watch the requests arrive in the <Link to="/dashboard/requests">request log</Link>. Your{" "}
              {formatMicros(d.balanceMicros)} of credit pays for them at the{" "}
              <Link to="/models">listed prices</Link>.
            </li>
          </ol>
        </section>
      ) : null}
      <div className="grid">
        <div className="card">
          <div className="muted">Balance ({d.plan})</div>
          <div className="stat">{formatMicros(d.balanceMicros)}</div>
          {d.lowBalance ? <span className="badge bad">low balance</span> : null}{" "}
          <Link to="/dashboard/billing">Billing</Link>
        </div>
        <div className="card">
          <div className="muted">Requests, last 30 days</div>
          <div className="stat">{formatInt(d.requests)}</div>
          <span className="muted">
            {formatInt(d.tokens)} tokens · {formatMicros(d.costMicros)}
          </span>{" "}
          <Link to="/dashboard/usage">Usage</Link>
        </div>
        <div className="card">
          <div className="muted">Active API keys</div>
          <div className="stat">{d.activeKeys}</div>
          <Link to="/dashboard/keys">Manage keys</Link>
        </div>
        <div className="card">
          <div className="muted">Privacy</div>
          <p>
            Content logging{" "}
            <span className={d.privacy.contentLogging ? "badge" : "badge off"}>
              {d.privacy.contentLogging ? `on, ${d.privacy.retentionDays} days` : "off"}
            </span>
            <br />
            Training use{" "}
            <span className={d.privacy.trainingConsent ? "badge" : "badge off"}>
              {d.privacy.trainingConsent ? "allowed" : "off"}
            </span>
          </p>
          <Link to="/dashboard/settings">Privacy settings</Link>
        </div>
      </div>
      <section className="card" aria-labelledby="quickstart">
        <h2 id="quickstart">Quickstart</h2>
        <p>
          Base URL: <code data-testid="base-url">{d.origin}/v1</code>{" "}
          <CopyButton value={`${d.origin}/v1`} label="Copy base URL" />
        </p>
        <p className="muted">
          Any OpenAI- or Anthropic-compatible client works unchanged. Send your key as a Bearer token
          (Anthropic clients: <code>x-api-key</code>); model ids are <code>provider/model</code>, listed on{" "}
          <Link to="/dashboard/models">Models and prices</Link>.
        </p>
        <Snippets
          snippets={chatSnippets({
            origin: d.origin,
            model: d.model,
            messages: [{ role: "user", content: "Hello!" }],
          })}
        />
        <div className="snippet">
          <div className="snippet-head">
            <h3>Anthropic SDK (npm i @anthropic-ai/sdk)</h3>
            <CopyButton value={anthropicSnippet(d.origin)} label="Copy Anthropic" />
          </div>
          <pre className="code-block">{anthropicSnippet(d.origin)}</pre>
        </div>
        <p>
          Every endpoint, with its schemas: <a href="/api/openapi.json">the OpenAPI document</a>.
        </p>
      </section>
    </>
  );
}
