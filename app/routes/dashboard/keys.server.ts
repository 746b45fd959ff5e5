import { z } from "zod";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import {
  accountPlan,
  createKey,
  listKeys,
  MAX_KEYS_PER_ACCOUNT,
  revokeKey,
  updateKey,
} from "#worker/keys/service";
import { DAY_MS } from "#worker/time";
import { usageSummary } from "#worker/usage/queries";
import { flushUsage } from "#worker/usage/record";
import { formAction, parseForm } from "../../lib/forms.server";
import { quickstartModel } from "../../lib/quickstart.server";
import { requireUser } from "../../lib/session.server";
import { chatSnippets } from "../../lib/snippets";
import type { Route } from "./+types/keys";

/** An optional number field: blank clears the setting. */
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess((v) => (v === "" || v === undefined ? null : Number(v)), schema.nullable());

const settingsFields = {
  expires: z
    .string()
    .trim()
    .refine((v) => v === "" || /^\d{4}-\d{2}-\d{2}$/.test(v), "Pick a date, or leave it empty.")
    .refine((v) => v === "" || Date.parse(`${v}T00:00:00Z`) > Date.now(), "Pick a day after today."),
  spendLimit: optionalNumber(
    z
      .number({ error: "Enter an amount in dollars, or leave it empty." })
      .min(0.01, "Enter at least $0.01, or leave it empty.")
      .max(1_000_000, "Enter at most $1,000,000.")
      .multipleOf(0.01, "Use whole cents."),
  ),
  rateLimit: optionalNumber(
    z
      .number({ error: "Enter a whole number of requests, or leave it empty." })
      .int("Enter a whole number of requests.")
      .min(1, "Enter at least 1 request per minute, or leave it empty."),
  ),
};
const name = z.string().trim().min(1, "Give the key a name.").max(100, "Use at most 100 characters.");
const id = z.string().min(1).max(64);

const KeyAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), name, ...settingsFields }),
  z.object({ intent: z.literal("update"), id, name, ...settingsFields }),
  z.object({ intent: z.literal("revoke"), id }),
]);

function settingsFrom(input: { expires: string; spendLimit: number | null; rateLimit: number | null }) {
  return {
    expiresAt: input.expires ? new Date(`${input.expires}T00:00:00Z`) : null,
    monthlySpendLimitCents: input.spendLimit === null ? null : Math.round(input.spendLimit * 100),
    rateLimitRpm: input.rateLimit,
  };
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  await flushUsage(env, session.accountId);
  const [keys, plan, spend] = await Promise.all([
    listKeys(db, session.accountId),
    accountPlan(db, getConfig(env), session.accountId),
    usageSummary(env, db, session.accountId, { from: monthStart, to: new Date(now.getTime() + 1) }, "key"),
  ]);
  const url = new URL(request.url);
  return {
    keys,
    spentThisMonth: Object.fromEntries(spend.map((s) => [s.group, s.costMicros])),
    plan: { name: plan.name, ceiling: plan.rateLimitCeilingRpm },
    defaultRpm: Math.min(getConfig(env).ai.rateLimitRpm, plan.rateLimitCeilingRpm),
    maxKeys: MAX_KEYS_PER_ACCOUNT,
    editing: url.searchParams.get("edit"),
    revoking: url.searchParams.get("revoke"),
    tomorrow: new Date(now.getTime() + DAY_MS).toISOString().slice(0, 10),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const config = getConfig(env);
  return formAction(async () => {
    const input = await parseForm(request, KeyAction);
    if (input.intent === "create") {
      const created = await createKey(db, config, session.accountId, {
        name: input.name,
        ...settingsFrom(input),
      });
      // The quickstart again, with the new key filled in: the one moment the key can be part of the code.
      const snippets = chatSnippets({
        origin: new URL(request.url).origin,
        key: created.key,
        model: quickstartModel(config),
        messages: [{ role: "user", content: "Hello!" }],
      });
      return { created: { name: created.name, key: created.key, snippets } };
    }
    if (input.intent === "update") {
      const key = await updateKey(db, config, session.accountId, input.id, {
        name: input.name,
        ...settingsFrom(input),
      });
      return { updated: key.name };
    }
    await revokeKey(db, session.accountId, input.id);
    return { revoked: input.id };
  }, request);
}
