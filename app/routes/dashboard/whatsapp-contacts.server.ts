import { z } from "zod";
import { requireSudo } from "#worker/accounts/sudo";
import { getDb } from "#worker/db";
import { ContactNumber } from "#worker/whatsapp/contact-data/number";
import { eraseContactData, lookUpContact } from "#worker/whatsapp/contact-data/service";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/whatsapp-contacts";

const ContactAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("lookup"), number: ContactNumber }),
  z.object({
    intent: z.literal("erase"),
    number: ContactNumber,
    password: z.string().max(256).optional(),
  }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireUser(request, context.cloudflare.env);
  return {};
}

export async function action({ request, context }: Route.ActionArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  return formAction(async () => {
    const input = await parseForm(request, ContactAction);
    const asked = { accountId: session.accountId, waId: input.number };
    // The number goes back to the page normalised, for its export and erase forms (never stored).
    if (input.intent === "lookup") return { held: await lookUpContact(env, db, asked), number: input.number };
    await requireSudo(env, session, input.password || undefined, request.headers);
    const receipt = await eraseContactData(env, db, { ...asked, origin: new URL(request.url).origin });
    return { receipt };
  }, request);
}
