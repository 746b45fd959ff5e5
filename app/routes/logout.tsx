import { redirect } from "react-router";
import { destroySession, sessionClearCookie } from "#worker/accounts/sessions";
import { getDb } from "#worker/db";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/logout";

export async function action({ request, context }: Route.ActionArgs) {
  const session = await getSession(request, context.cloudflare.env);
  if (session) await destroySession(getDb(context.cloudflare.env.DB), session.sessionHash);
  return redirect("/", { headers: { "Set-Cookie": sessionClearCookie(request.url) } });
}

export function loader() {
  return redirect("/");
}
