// POST /dashboard/whatsapp/contacts/export: the Contact data page's export form (a plain form, no JavaScript):
// everything held for one contact as a JSON download. A bad number answers 400 in words.
import { z } from "zod";
import { getDb } from "#worker/db";
import { toAppError } from "#worker/errors";
import { ContactNumber } from "#worker/whatsapp/contact-data/number";
import { exportContact } from "#worker/whatsapp/contact-data/service";
import { parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/whatsapp-contacts-export";

const Export = z.object({ number: ContactNumber });

export async function action({ request, context }: Route.ActionArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  let number: string;
  try {
    ({ number } = await parseForm(request, Export));
  } catch (error) {
    const e = toAppError(error);
    if (e.status >= 500) throw error;
    return new Response(e.message, {
      status: e.status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  const doc = await exportContact(env, getDb(env.DB), { accountId: session.accountId, waId: number });
  return new Response(JSON.stringify(doc, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="whatsapp-contact-${doc.label}.json"`,
      "cache-control": "no-store",
    },
  });
}
