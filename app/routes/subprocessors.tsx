// /subprocessors (public): who processes customers' data for us, generated from the running configuration —
// Cloudflare, each AI provider this deployment calls, Stripe, Meta and the mail provider — with purpose,
// location, transfer basis and data policy, and the date the current list took (or takes) effect.
import { getConfig } from "#worker/config";
import { latestList } from "#worker/legal/changes";
import { SUBPROCESSOR_NOTICE_DAYS } from "#worker/legal/dpa";
import { listVersion, subprocessors } from "#worker/legal/subprocessors";
import { Facts } from "../components/Facts";
import { SiteHeader } from "../components/SiteHeader";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/subprocessors";

export const meta: Route.MetaFunction = () => [{ title: "Subprocessors — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const config = getConfig(env);
  const list = subprocessors(config);
  const version = await listVersion(list);
  const published = await latestList(env);
  return {
    appName: config.appName,
    signedIn: Boolean(await getSession(request, env)),
    list,
    residency: config.dataResidency,
    version,
    effectiveAt: published?.version === version ? published.effectiveAt.toISOString() : null,
  };
}

export default function Subprocessors({ loaderData }: Route.ComponentProps) {
  const { list, version, effectiveAt, residency } = loaderData;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={loaderData.signedIn} />
      <main id="main" className="prose">
        <h1>Subprocessors</h1>
        <p>
          Generated from the service's running configuration: these are the only companies that process your
          data for us. Customers who accepted our <a href="/legal/dpa">data processing agreement</a> are told
          by email at least {SUBPROCESSOR_NOTICE_DAYS} days before a change takes effect.
        </p>
        <p className="muted">
          List version <code>{version.slice(0, 12)}</code>
          {effectiveAt
            ? `, in effect from ${effectiveAt.slice(0, 10)}`
            : ", recorded at the next scheduled run"}
          .
        </p>
        <section className="card block" aria-labelledby="residency">
          <h2 id="residency">Where your data is stored</h2>
          <p data-testid="residency">
            {residency === "eu"
              ? "EU data residency is on: your account's Durable Object (its buffers, keys and request log) and stored content (R2) are kept in Cloudflare's EU jurisdiction. The database (D1) has an EU location hint only, which Cloudflare does not guarantee; AI providers outside the EU still receive the requests you send to their models."
              : "No data residency is promised: data is stored in Cloudflare's global network. Operators can choose EU residency for a deployment."}
          </p>
        </section>
        {list.map((s) => (
          <section key={s.name} className="card block" aria-label={s.name}>
            <h2>{s.name}</h2>
            <Facts
              rows={[
                ["Purpose", s.purpose],
                ["Data it receives", s.data],
                ["Location", s.location],
                ["Transfer basis", s.transferBasis],
                ["Data policy", s.dataPolicy],
                [
                  "Terms",
                  <a key="t" href={s.terms}>
                    {s.terms}
                  </a>,
                ],
              ]}
            />
          </section>
        ))}
      </main>
    </>
  );
}
