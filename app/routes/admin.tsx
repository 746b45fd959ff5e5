import { data } from "react-router";
import { SiteHeader } from "../components/SiteHeader";
import { isAdmin, requireUser } from "../lib/session.server";
import type { Route } from "./+types/admin";

export const meta: Route.MetaFunction = () => [{ title: "Operators — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  if (!isAdmin(env, session)) throw data("Operators only", { status: 403, statusText: "Operators only." });
  return { appName: env.APP_NAME ?? "Botmara" };
}

export default function Admin({ loaderData }: Route.ComponentProps) {
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <main className="content">
        <h1>Operators</h1>
      </main>
    </>
  );
}
