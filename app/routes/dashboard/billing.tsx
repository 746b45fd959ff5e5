import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/billing";

export const meta: Route.MetaFunction = () => [{ title: "Billing — Botmara" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireUser(request, context.cloudflare.env);
  return null;
}

export default function Page() {
  return (
    <>
      <h1>Billing</h1>
      <p className="muted">Plan, balance, credit ledger and invoices.</p>
    </>
  );
}
