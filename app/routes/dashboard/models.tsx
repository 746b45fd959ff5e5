// /dashboard/models: the public models page inside the dashboard, with links to try each chat model.
import { Link } from "react-router";
import { availableModels } from "#worker/ai/catalogue";
import { getConfig } from "#worker/config";
import { ModelSearchForm } from "../../components/ModelSearchForm";
import { ModelTable, modelRows } from "../../components/ModelTable";
import { modelSearch, searchModels } from "../../lib/model-search";
import type { Route } from "./+types/models";

export const meta: Route.MetaFunction = () => [{ title: "Models and prices — Botmara" }];

export function loader({ request, context }: Route.LoaderArgs) {
  const all = modelRows(availableModels(getConfig(context.cloudflare.env)));
  const search = modelSearch(new URL(request.url).searchParams);
  return { search, total: all.length, models: searchModels(all, search) };
}

export default function DashboardModels({ loaderData }: Route.ComponentProps) {
  return (
    <>
      <h1>Models and prices</h1>
      <p className="muted">
        Per million tokens, in US dollars: what each request is charged from your credit. The same list is
        public at <Link to="/models">/models</Link> and in <code>GET /v1/models</code>.
      </p>
      <ModelSearchForm search={loaderData.search} shown={loaderData.models.length} total={loaderData.total} />
      <ModelTable models={loaderData.models} />
      <p>
        <Link to="/dashboard/playground">Try a model in the playground</Link>
      </p>
    </>
  );
}
