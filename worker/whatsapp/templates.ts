// A number's message templates (ADR 065): synced from Meta, kept current by its status webhook, and the one the
// business chose to send when the 24-hour window has closed (the fallback), with its parameters.
import { and, asc, eq, lt } from "drizzle-orm";
import { whatsappConnections, whatsappTemplates } from "../../db/schema";
import type { Config } from "../config";
import type { Db } from "../env";
import { AppError, badRequest } from "../errors";
import { open } from "./sealing";
import { fetchTemplates, type GraphTemplate } from "./template-graph";
import type { FallbackView, TemplateView } from "./template-views";

type Row = typeof whatsappTemplates.$inferSelect;
type Connection = typeof whatsappConnections.$inferSelect;

/** The placeholder a fallback parameter may contain: the contact's WhatsApp profile name. */
const PROFILE_NAME = "{{profile_name}}";
/** What `{{profile_name}}` becomes when Meta sent no profile name. */
const UNKNOWN_NAME = "there";

/** The distinct placeholders of a template's body, in order of first appearance ({{1}} or {{order_id}}). */
function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!))];
}

/** A template is usable as the fallback when only its body takes parameters (no media header, no variable button). */
function usable(t: GraphTemplate): boolean {
  return (t.components ?? []).every((c) => {
    const type = (c.type ?? "").toUpperCase();
    if (type === "HEADER") return (c.format ?? "TEXT").toUpperCase() === "TEXT" && !/\{\{/.test(c.text ?? "");
    if (type === "BUTTONS") return !(c.buttons ?? []).some((b) => /\{\{/.test(b.url ?? ""));
    return true;
  });
}

function rowOf(accountId: string, phoneNumberId: string, t: GraphTemplate, now: Date) {
  const body = (t.components ?? []).find((c) => (c.type ?? "").toUpperCase() === "BODY")?.text ?? null;
  return {
    accountId,
    phoneNumberId,
    templateId: String(t.id),
    name: t.name,
    language: t.language,
    status: t.status.toUpperCase(),
    category: t.category ?? null,
    bodyTemplate: body,
    placeholders: placeholdersOf(body ?? ""),
    usable: usable(t),
    updatedAt: now,
  };
}

/**
 * Reads the number's templates from Meta (its business account's) and replaces the stored list: templates
 * gone at Meta are deleted here. A failure leaves the list as it was and is recorded on the number.
 */
export async function syncTemplates(
  env: Env,
  db: Db,
  config: Config,
  connection: Connection,
  now = Date.now(),
): Promise<{ ok: true; count: number } | { ok: false; error: string }> {
  const at = new Date(now);
  const accessToken = await open(env, connection.accountId, "access_token", connection.accessTokenSealed);
  const listed = await fetchTemplates(config, { wabaId: connection.wabaId, accessToken });
  const numberIs = eq(whatsappConnections.phoneNumberId, connection.phoneNumberId);
  if (!listed.ok) {
    await db.update(whatsappConnections).set({ templatesSyncError: listed.error }).where(numberIs);
    return listed;
  }
  const valid = listed.templates.filter(
    (t) =>
      typeof t?.name === "string" &&
      typeof t.language === "string" &&
      typeof t.status === "string" &&
      (typeof t.id === "string" || typeof t.id === "number"),
  );
  const rows = valid.map((t) => rowOf(connection.accountId, connection.phoneNumberId, t, at));
  const statements = [
    ...rows.map((r) =>
      db
        .insert(whatsappTemplates)
        .values(r)
        .onConflictDoUpdate({
          target: [whatsappTemplates.phoneNumberId, whatsappTemplates.name, whatsappTemplates.language],
          set: {
            templateId: r.templateId,
            status: r.status,
            category: r.category,
            bodyTemplate: r.bodyTemplate,
            placeholders: r.placeholders,
            usable: r.usable,
            ...(r.status === "APPROVED" ? { reason: null } : {}),
            updatedAt: at,
          },
        }),
    ),
    // Whatever this sync did not write is gone at Meta.
    db
      .delete(whatsappTemplates)
      .where(
        and(
          eq(whatsappTemplates.phoneNumberId, connection.phoneNumberId),
          lt(whatsappTemplates.updatedAt, at),
        ),
      ),
    db.update(whatsappConnections).set({ templatesSyncedAt: at, templatesSyncError: null }).where(numberIs),
  ];
  await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
  return { ok: true, count: rows.length };
}

export async function listTemplates(db: Db, phoneNumberId: string): Promise<Row[]> {
  return db
    .select()
    .from(whatsappTemplates)
    .where(eq(whatsappTemplates.phoneNumberId, phoneNumberId))
    .orderBy(asc(whatsappTemplates.name), asc(whatsappTemplates.language));
}

export function templateView(row: Row): TemplateView {
  return {
    id: row.templateId,
    name: row.name,
    language: row.language,
    status: row.status,
    category: row.category,
    body: row.bodyTemplate,
    parameters: row.placeholders,
    usableAsFallback: row.usable,
    reason: row.reason,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The number's fallback as chosen, with whether it will be sent now (its template approved). */
export async function fallbackView(db: Db, connection: Connection): Promise<FallbackView> {
  const chosen = await chosenFallback(db, connection);
  if (!chosen) return null;
  return {
    name: chosen.name,
    language: chosen.language,
    parameters: connection.fallbackParameters ?? [],
    status: chosen.template?.status ?? "MISSING",
    active: sendable(chosen.template),
  };
}

/** The number's chosen fallback and its synced template (undefined when Meta no longer lists it); null: none. */
async function chosenFallback(db: Db, connection: Connection) {
  const { fallbackTemplate: name, fallbackLanguage: language } = connection;
  if (!name || !language) return null;
  return { name, language, template: await findTemplate(db, connection.phoneNumberId, name, language) };
}

/** Whether a template is sent as the fallback now: approved, with all its parameters in its body. */
const sendable = (template: { status: string; usable: boolean } | undefined) =>
  template?.status === "APPROVED" && template.usable;

const findTemplate = (db: Db, phoneNumberId: string, name: string, language: string) =>
  db.query.whatsappTemplates.findFirst({
    where: and(
      eq(whatsappTemplates.phoneNumberId, phoneNumberId),
      eq(whatsappTemplates.name, name),
      eq(whatsappTemplates.language, language),
    ),
  });

/**
 * Chooses the number's fallback template (null: none). It must be a synced, approved template whose only
 * parameters are in its body, given exactly one parameter per placeholder.
 */
export async function chooseFallback(
  db: Db,
  connection: Connection,
  choice: { name: string; language: string; parameters: string[] } | null,
): Promise<void> {
  const numberIs = eq(whatsappConnections.phoneNumberId, connection.phoneNumberId);
  if (choice === null) {
    await db
      .update(whatsappConnections)
      .set({ fallbackTemplate: null, fallbackLanguage: null, fallbackParameters: null })
      .where(numberIs);
    return;
  }
  const template = await findTemplate(db, connection.phoneNumberId, choice.name, choice.language);
  if (!template)
    throw badRequest(
      `No template ${choice.name} (${choice.language}) is known for this number; sync the templates first.`,
      "name",
      "template_not_found",
    );
  if (template.status !== "APPROVED")
    throw new AppError(
      409,
      `Template ${choice.name} is ${template.status}; only an approved template can be sent.`,
      {
        code: "template_not_approved",
        param: "name",
      },
    );
  if (!template.usable)
    throw badRequest(
      "This template needs header or button parameters; choose one whose only parameters are in its body.",
      "name",
      "template_not_usable",
    );
  if (choice.parameters.length !== template.placeholders.length)
    throw badRequest(
      `Template ${choice.name} takes ${template.placeholders.length} body parameter(s); ${choice.parameters.length} given.`,
      "parameters",
      "parameter_count",
    );
  await db
    .update(whatsappConnections)
    .set({
      fallbackTemplate: template.name,
      fallbackLanguage: template.language,
      fallbackParameters: choice.parameters,
    })
    .where(numberIs);
}

/** What to send when the window has closed: the approved fallback and its filled parameters, or null. */
export async function resolveFallback(
  db: Db,
  connection: Connection,
  profileName: string | null,
): Promise<{ name: string; language: string; parameters: { text: string; name?: string }[] } | null> {
  const template = (await chosenFallback(db, connection))?.template;
  if (!template || !sendable(template)) return null;
  const values = connection.fallbackParameters ?? [];
  if (values.length !== template.placeholders.length) return null;
  const named = template.placeholders.some((p) => !/^\d+$/.test(p));
  const name = profileName?.trim() || UNKNOWN_NAME;
  return {
    name: template.name,
    language: template.language,
    parameters: values.map((v, i) => ({
      text: v.replaceAll(PROFILE_NAME, name),
      ...(named ? { name: template.placeholders[i]! } : {}),
    })),
  };
}

/**
 * A status change from `message_template_status_update`, applied to every number of that business account
 * the notification was signed for: the template's status (a paused or disabled one stops being sent).
 */
export function templateStatusChange(
  db: Db,
  phoneNumberId: string,
  change: { name: string; language: string; event: string; reason: string | null },
  now: number,
) {
  return db
    .update(whatsappTemplates)
    .set({ status: change.event, reason: change.reason, updatedAt: new Date(now) })
    .where(
      and(
        eq(whatsappTemplates.phoneNumberId, phoneNumberId),
        eq(whatsappTemplates.name, change.name),
        eq(whatsappTemplates.language, change.language),
      ),
    );
}

/** Re-reads the templates of these numbers (after a status notice); one failing does not stop the others. */
export async function resyncNumbers(
  env: Env,
  db: Db,
  config: Config,
  phoneNumberIds: string[],
): Promise<void> {
  for (const phoneNumberId of phoneNumberIds) {
    const connection = await db.query.whatsappConnections.findFirst({
      where: eq(whatsappConnections.phoneNumberId, phoneNumberId),
    });
    if (connection) await syncTemplates(env, db, config, connection);
  }
}
