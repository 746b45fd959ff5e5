import { Link } from "react-router";
import { billingOverview } from "../../../worker/billing/overview";
import { getDb } from "../../../worker/db";
import { listKeys } from "../../../worker/keys/service";
import { readPrivacySettings } from "../../../worker/settings/store";
import { usageSummary } from "../../../worker/usage/queries";
import { flushUsage } from "../../../worker/usage/record";
import { formatInt, formatUsd } from "../../lib/format";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/overview";

export const meta: Route.MetaFunction = () => [{ title: "Dashboard — Botmara" }];

const MONTH_MS = 30 * 24 * 3600 * 1000;

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  await flushUsage(env, session.accountId);
  const to = new Date();
  const [keys, usage, billing, privacy] = await Promise.all([
    listKeys(db, session.accountId),
    usageSummary(db, session.accountId, { from: new Date(to.getTime() - MONTH_MS), to }, "model"),
    billingOverview(env, session.accountId),
    readPrivacySettings(db, session.accountId),
  ]);
  return {
    email: session.email,
    activeKeys: keys.filter((k) => !k.revokedAt).length,
    requests: usage.reduce((n, r) => n + r.requests, 0),
    tokens: usage.reduce((n, r) => n + r.inputTokens + r.outputTokens, 0),
    costMicros: usage.reduce((n, r) => n + r.costMicros, 0),
    plan: billing.plan.name,
    balanceMicros: billing.balanceMicros,
    lowBalance: billing.lowBalance,
    privacy,
    origin: new URL(request.url).origin,
  };
}

export default function Overview({ loaderData: d }: Route.ComponentProps) {
  return (
    <>
      <h1>Welcome, {d.email}</h1>
      <div className="grid">
        <div className="card">
          <div className="muted">Balance ({d.plan})</div>
          <div className="stat">{formatUsd(d.balanceMicros)}</div>
          {d.lowBalance ? <span className="badge bad">low balance</span> : null}{" "}
          <Link to="/dashboard/billing">Billing</Link>
        </div>
        <div className="card">
          <div className="muted">Requests, last 30 days</div>
          <div className="stat">{formatInt(d.requests)}</div>
          <span className="muted">
            {formatInt(d.tokens)} tokens · {formatUsd(d.costMicros)}
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
      <div className="card">
        <h2>Call the API</h2>
        <p className="muted">Use any OpenAI or Anthropic SDK with this base URL and one of your keys:</p>
        <pre className="secret mono">{`curl ${d.origin}/v1/models -H "Authorization: Bearer $BOTMARA_KEY"`}</pre>
      </div>
    </>
  );
}
