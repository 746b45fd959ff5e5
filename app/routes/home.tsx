import { Link } from "react-router";
import { SiteHeader } from "../components/SiteHeader";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/home";

export const meta: Route.MetaFunction = () => [
  { title: "Botmara — privacy-first AI API at the edge" },
  { name: "description", content: "OpenAI- and Anthropic-compatible API with minimal logging by default." },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  return { signedIn: Boolean(await getSession(request, env)), appName: env.APP_NAME ?? "Botmara" };
}

export default function Home({ loaderData }: Route.ComponentProps) {
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={loaderData.signedIn} />
      <main id="main">
        <section className="hero">
          <h1>One API for OpenAI and Anthropic models. Nothing kept you did not ask us to keep.</h1>
          <p className="muted">
            Point the official SDKs at us, keep your code unchanged. Prompts and responses are not stored
            unless you turn logging on — and then they are encrypted with a key only your account has.
          </p>
          <p className="actions">
            <Link to="/signup" className="button">
              Get an API key
            </Link>
            <Link to="/privacy" className="button secondary">
              Read what we promise
            </Link>
          </p>
        </section>
        <section className="features grid" aria-label="Features">
          <div className="card">
            <h2>Drop-in compatible</h2>
            <p>
              <code>/v1/chat/completions</code>, <code>/v1/embeddings</code> and <code>/v1/messages</code>,
              streaming passed through as it arrives.
            </p>
          </div>
          <div className="card">
            <h2>Metered exactly</h2>
            <p>Every token counted, even when a stream is cut short. Usage by day, model and key.</p>
          </div>
          <div className="card">
            <h2>Privacy you can check</h2>
            <p>Export everything we hold, delete it within 30 days, and get a signed receipt.</p>
          </div>
        </section>
      </main>
    </>
  );
}
