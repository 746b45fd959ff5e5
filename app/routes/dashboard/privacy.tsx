import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/privacy";

export const meta: Route.MetaFunction = () => [{ title: "Your data — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireUser(request, context.cloudflare.env);
  return null;
}

export default function Page() {
  return (
    <>
      <h1>Your data</h1>
      <p className="muted">Export everything we hold about you, or delete your account.</p>
    </>
  );
}
