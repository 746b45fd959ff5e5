import { Link } from "react-router";
import { getDb } from "../../../worker/db";
import { listKeys } from "../../../worker/keys/service";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/overview";

export const meta: Route.MetaFunction = () => [{ title: "Dashboard — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const session = await requireUser(request, context.cloudflare.env);
  const keys = await listKeys(getDb(context.cloudflare.env.DB), session.accountId);
  return {
    email: session.email,
    activeKeys: keys.filter((k) => !k.revokedAt).length,
    origin: new URL(request.url).origin,
  };
}

export default function Overview({ loaderData }: Route.ComponentProps) {
  return (
    <>
      <h1>Welcome, {loaderData.email}</h1>
      <div className="grid">
        <div className="card">
          <div className="muted">Active API keys</div>
          <div className="stat">{loaderData.activeKeys}</div>
          <Link to="/dashboard/keys">Manage keys</Link>
        </div>
      </div>
      <div className="card">
        <h2>Call the API</h2>
        <p className="muted">Use any OpenAI SDK with this base URL and one of your keys:</p>
        <pre className="secret mono">{`curl ${loaderData.origin}/v1/models -H "Authorization: Bearer $BOTMARA_KEY"`}</pre>
      </div>
    </>
  );
}
