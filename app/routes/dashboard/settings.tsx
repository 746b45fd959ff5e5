import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/settings";

export const meta: Route.MetaFunction = () => [{ title: "Privacy settings — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireUser(request, context.cloudflare.env);
  return null;
}

export default function Page() {
  return (
    <>
      <h1>Privacy settings</h1>
      <p className="muted">Content logging, retention and training consent.</p>
    </>
  );
}
