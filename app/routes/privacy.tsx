import { getConfig } from "#worker/config";
import { policyFacts, policySections } from "#worker/privacy/policy";
import { SiteHeader } from "../components/SiteHeader";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/privacy";

export const meta: Route.MetaFunction = () => [{ title: "Privacy policy — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const config = getConfig(env);
  return {
    appName: config.appName,
    signedIn: Boolean(await getSession(request, env)),
    facts: policyFacts(config),
    sections: policySections(config),
  };
}

export default function Privacy({ loaderData }: Route.ComponentProps) {
  const { facts, sections } = loaderData;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={loaderData.signedIn} />
      <main id="main" className="prose">
        <h1>Privacy policy</h1>
        <p className="muted">
          Version {facts.version}. Generated from the service's running configuration; the same settings
          enforce it. Machine-readable: <a href="/api/privacy/policy">/api/privacy/policy</a>.
        </p>
        {sections.map((s) => (
          <section key={s.id} id={s.id} aria-labelledby={`${s.id}-h`}>
            <h2 id={`${s.id}-h`}>{s.heading}</h2>
            {s.paragraphs.map((p) => (
              <p key={p}>{p}</p>
            ))}
          </section>
        ))}
        <p>
          Privacy contact: <a href={`mailto:${facts.contact}`}>{facts.contact}</a>
        </p>
      </main>
    </>
  );
}
