// /models: every model this deployment serves, its limits and its prices — public, from the billing catalogue.
import { Link } from "react-router";
import { availableModels } from "#worker/ai/catalogue";
import { getConfig } from "#worker/config";
import { ModelSearchForm } from "../components/ModelSearchForm";
import { ModelTable, modelRows } from "../components/ModelTable";
import { SiteHeader } from "../components/SiteHeader";
import { modelSearch, searchModels } from "../lib/model-search";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/models";

export const meta: Route.MetaFunction = () => [
  { title: "Models and prices — Botmara" },
  {
    name: "description",
    content: "Every model, its context length, output limit and price per million tokens.",
  },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const all = modelRows(availableModels(getConfig(env)));
  const search = modelSearch(new URL(request.url).searchParams);
  return {
    signedIn: Boolean(await getSession(request, env)),
    appName: env.APP_NAME ?? "Botmara",
    search,
    total: all.length,
    models: searchModels(all, search),
  };
}

export default function Models({ loaderData }: Route.ComponentProps) {
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={loaderData.signedIn} />
      <main id="main" className="content wide-page">
        <h1>Models and prices</h1>
        <p className="muted">
          Prices in US dollars per million tokens, exactly what a request is charged from your credit. Call
          any of them by its id through <code>/v1/chat/completions</code>, <code>/v1/messages</code> or{" "}
          <code>/v1/embeddings</code>, and the speech-to-text models through{" "}
          <code>/v1/audio/transcriptions</code> (input priced per audio token); <code>GET /v1/models</code>{" "}
          lists the same.
        </p>
        <ModelSearchForm
          search={loaderData.search}
          shown={loaderData.models.length}
          total={loaderData.total}
        />
        <ModelTable models={loaderData.models} />
        <p>
          {loaderData.signedIn ? (
            <Link to="/dashboard/playground">Try one in the playground</Link>
          ) : (
            <Link to="/signup">Create an account to get an API key</Link>
          )}
        </p>
      </main>
    </>
  );
}
