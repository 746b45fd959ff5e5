import { z } from "zod";
import { requireSudo } from "#worker/accounts/sudo";
import { availableModels } from "#worker/ai/catalogue";
import { getConfig } from "#worker/config";
import { randomToken } from "#worker/crypto/encoding";
import { getDb } from "#worker/db";
import {
  deleteConnection,
  disconnectedView,
  findConnection,
  listConnectionViews,
  reconnects,
  saveConnection,
} from "#worker/whatsapp/connection";
import { pausedContacts } from "#worker/whatsapp/contacts";
import { failedMessages, recentMessages } from "#worker/whatsapp/messages";
import { sentByFake, simulateMessage, simulatorEnabled } from "#worker/whatsapp/simulator";
import { resyncTemplates, saveFallback, templatesPage } from "#worker/whatsapp/template-routes";
import { FallbackInput } from "#worker/whatsapp/template-views";
import { ConnectionInput } from "#worker/whatsapp/views";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/whatsapp";

/** Empty secret fields mean "keep the saved one". */
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** A comma-separated list in the form; empty: the defaults; absent (an older form): the saved list. */
const KeywordField = z
  .string()
  .max(1000)
  .optional()
  .transform((v) => {
    if (v === undefined) return undefined;
    const words = v
      .split(",")
      .map((w) => w.trim())
      .filter(Boolean);
    return words.length > 0 ? words : null;
  });

const WhatsAppAction = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("save"),
    /** The number being edited; empty when adding one. */
    target: z.preprocess(blankToUndefined, z.string().max(40).optional()),
    phoneNumberId: z.string(),
    wabaId: z.string(),
    accessToken: z.preprocess(blankToUndefined, z.string().optional()),
    appSecret: z.preprocess(blankToUndefined, z.string().optional()),
    verifyToken: z.preprocess(blankToUndefined, z.string().optional()),
    model: z.string(),
    systemPrompt: z.string().default(""),
    nonTextMessages: z.enum(["reply", "skip"]),
    stopKeywords: KeywordField,
    startKeywords: KeywordField,
    handOffKeywords: KeywordField,
    handOffWebhookUrl: z.string().trim().max(2000).optional(),
    password: z.preprocess(blankToUndefined, z.string().max(256).optional()),
  }),
  z.object({
    intent: z.literal("disconnect"),
    phoneNumberId: z.string().max(40),
    password: z.preprocess(blankToUndefined, z.string().max(256).optional()),
  }),
  z.object({
    intent: z.literal("sync-templates"),
    phoneNumberId: z.string().max(40),
  }),
  z.object({
    intent: z.literal("fallback"),
    phoneNumberId: z.string().max(40),
    /** "name|language" of an approved template, or empty for none. */
    template: z.string().max(600),
    /** One parameter per line, in the body's order. */
    parameters: z.string().max(20_000).default(""),
  }),
  z.object({
    intent: z.literal("simulate"),
    phoneNumberId: z.string().max(40),
    from: z.string().regex(/^\d{8,15}$/, "A phone number in digits, with country code."),
    text: z.string().trim().min(1, "Type a message.").max(1000),
  }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const config = getConfig(env);
  const numbers = await listConnectionViews(db, session.accountId);
  const wanted = new URL(request.url).searchParams.get("number");
  const adding = wanted === "new" || numbers.length === 0;
  const connection = adding
    ? disconnectedView()
    : (numbers.find((n) => n.phoneNumberId === wanted) ?? numbers[0]!);
  const simulator = simulatorEnabled(config);
  const templates = connection.phoneNumberId
    ? await templatesPage(db, session.accountId, connection.phoneNumberId)
    : null;
  return {
    templates,
    numbers,
    connection,
    webhookUrl: `${new URL(request.url).origin}/webhooks/whatsapp`,
    models: availableModels(config)
      .filter((m) => m.kind === "chat")
      .map((m) => m.id),
    messages: await recentMessages(db, session.accountId),
    failed: await failedMessages(db, session.accountId),
    waiting: (await pausedContacts(db, session.accountId)).length,
    simulator,
    fakeReplies:
      simulator && connection.phoneNumberId
        ? (await sentByFake(config, connection.phoneNumberId)).slice(-10)
        : [],
    suggestedVerifyToken: randomToken(24),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const config = getConfig(env);
  return formAction(async () => {
    const input = await parseForm(request, WhatsAppAction);
    if (input.intent === "disconnect") {
      await requireSudo(env, session, input.password, request.headers);
      await deleteConnection(db, session.accountId, input.phoneNumberId);
      return { disconnected: true as const };
    }
    if (input.intent === "sync-templates") {
      await resyncTemplates(env, db, config, session.accountId, input.phoneNumberId);
      return { synced: true as const };
    }
    if (input.intent === "fallback") {
      const [name, language] = input.template ? input.template.split("|") : [];
      const parsed = FallbackInput.safeParse({
        name: name || null,
        language: name ? language : undefined,
        parameters: input.parameters
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean),
      });
      if (!parsed.success) throw parsed.error;
      await saveFallback(db, session.accountId, input.phoneNumberId, parsed.data);
      return { fallbackSaved: true as const };
    }
    if (input.intent === "simulate") {
      const { reply } = await simulateMessage(env, db, config, session.accountId, input);
      return { simulated: { from: input.from, text: input.text, reply: reply?.text ?? null } };
    }
    const { intent: _intent, target, ...fields } = input;
    const parsed = ConnectionInput.safeParse(fields);
    if (!parsed.success) throw parsed.error;
    const { password, ...connection } = parsed.data;
    // Adding a number the account already has edits it.
    const edited = target ?? connection.phoneNumberId;
    // Connecting, another number or new secrets: the same sudo rule as PUT /api/whatsapp.
    if (reconnects(await findConnection(db, session.accountId, edited), connection))
      await requireSudo(env, session, password, request.headers);
    const saved = await saveConnection(env, db, config, session.accountId, connection, edited);
    // A new hand-off webhook's secret: on this page once, never again.
    return { saved: true as const, webhookSecret: saved.handOff?.webhookSecret ?? null };
  });
}
