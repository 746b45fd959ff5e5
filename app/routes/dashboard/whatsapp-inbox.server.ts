import { data } from "react-router";
import { z } from "zod";
import { getDb } from "#worker/db";
import { toAppError } from "#worker/errors";
import { inboxEntries, replyAsPerson, resumeBot } from "#worker/whatsapp/human-inbox";
import { type ActionError, formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/whatsapp-inbox";

const Conversation = {
  phoneNumberId: z.string().regex(/^\d{5,30}$/),
  contactHash: z.string().regex(/^[0-9a-f]{64}$/),
};

const InboxAction = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("reply"),
    ...Conversation,
    text: z.string().trim().min(1, "Type a reply.").max(4096),
  }),
  z.object({ intent: z.literal("resume"), ...Conversation }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  return { entries: await inboxEntries(env, getDb(env.DB), session.accountId) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  return formAction(async () => {
    const input = await parseForm(request, InboxAction);
    const key = {
      accountId: session.accountId,
      phoneNumberId: input.phoneNumberId,
      contactHash: input.contactHash,
    };
    if (input.intent === "resume") {
      await resumeBot(db, key);
      return { resumed: input.contactHash.slice(0, 8) };
    }
    try {
      await replyAsPerson(env, db, key, input.text);
    } catch (error) {
      // WhatsApp refused or was unreachable: said beside the form, not as an error page.
      const e = toAppError(error);
      if (e.status !== 502) throw error;
      return data<ActionError>(
        {
          error: { message: e.message, param: "text", fields: { text: e.message } },
          values: { text: input.text },
        },
        { status: 502 },
      );
    }
    return { replied: input.contactHash.slice(0, 8) };
  }, request);
}
