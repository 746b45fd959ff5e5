// /privacy/promises (public): every promise of the policy, the mechanism that keeps it, the configuration
// it depends on, and what the last promise checks found — aggregate status and times, never customer data.
import { getConfig } from "#worker/config";
import { formatDateTime } from "#worker/format";
import { promiseReport } from "#worker/privacy/promises/report";
import { StatusBadge } from "../components/PromiseStatus";
import { SiteHeader } from "../components/SiteHeader";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/privacy-promises";

export const meta: Route.MetaFunction = () => [{ title: "Our privacy promises, checked — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  return {
    appName: getConfig(env).appName,
    signedIn: Boolean(await getSession(request, env)),
    report: await promiseReport(env),
  };
}

const show = (v: unknown) => (Array.isArray(v) ? v.join(", ") : String(v));

export default function Promises({ loaderData }: Route.ComponentProps) {
  const { report } = loaderData;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={loaderData.signedIn} />
      <main id="main" className="prose">
        <h1>Our privacy promises, checked</h1>
        <p>
          Every promise of our <a href="/privacy">privacy policy</a>, the mechanism that keeps it, and what
          our promise checks found the last time they ran. Overall: <StatusBadge status={report.status} />.
          Machine-readable: <a href="/api/privacy/promises">/api/privacy/promises</a>.
        </p>
        {report.promises.map((p) => (
          <section key={p.id} id={p.id} aria-labelledby={`${p.id}-h`} className="card block">
            <h2 id={`${p.id}-h`}>
              {p.id}. {p.promise} <StatusBadge status={p.status} />
            </h2>
            <p>{p.mechanism}</p>
            {Object.keys(p.config).length ? (
              <p className="muted">
                Depends on:{" "}
                {Object.entries(p.config).map(([k, v], i) => (
                  <span key={k}>
                    {i ? "; " : ""}
                    <span className="mono">{k}</span> = {show(v)}
                  </span>
                ))}
              </p>
            ) : null}
            <ul>
              {p.checks.map((c) => (
                <li key={c.id}>
                  <StatusBadge status={c.status} /> {c.summary}{" "}
                  <span className="muted">
                    (<span className="mono">{c.id}</span>, last run {formatDateTime(c.ranAt)})
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </main>
    </>
  );
}
