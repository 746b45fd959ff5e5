import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/whatsapp";

export const meta: Route.MetaFunction = () => [{ title: "WhatsApp — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireUser(request, context.cloudflare.env);
  return null;
}

export default function Page() {
  return (
    <>
      <h1>WhatsApp</h1>
      <p className="muted">Connect a WhatsApp Business number and answer customers with the AI.</p>
    </>
  );
}
