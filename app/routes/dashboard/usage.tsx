import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/usage";

export const meta: Route.MetaFunction = () => [{ title: "Usage — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireUser(request, context.cloudflare.env);
  return null;
}

export default function Page() {
  return (
    <>
      <h1>Usage</h1>
      <p className="muted">Requests, tokens and cost by day, model and key.</p>
    </>
  );
}
