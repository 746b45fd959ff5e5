// /dashboard/models: the public models page inside the dashboard, with links to try each chat model.
import { Link } from "react-router";
import { availableModels } from "#worker/ai/catalogue";
import { getConfig } from "#worker/config";
import { ModelTable, modelRows } from "../../components/ModelTable";
import type { Route } from "./+types/models";

export const meta: Route.MetaFunction = () => [{ title: "Models and prices — Botmara" }];

export function loader({ context }: Route.LoaderArgs) {
  return { models: modelRows(availableModels(getConfig(context.cloudflare.env))) };
}

export default function DashboardModels({ loaderData }: Route.ComponentProps) {
  return (
    <>
      <h1>Models and prices</h1>
      <p className="muted">
        Per million tokens, in US dollars: what each request is charged from your credit. The same list is
        public at <Link to="/models">/models</Link> and in <code>GET /v1/models</code>.
      </p>
      <ModelTable models={loaderData.models} />
      <p>
        <Link to="/dashboard/playground">Try a model in the playground</Link>
      </p>
    </>
  );
}
