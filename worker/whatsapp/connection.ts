// The account's WhatsApp numbers: save one (secrets sealed), read them (never the secrets), remove, find by number.
// An account may connect several numbers; the single-number API and views mean the first one connected.

import { and, asc, eq, inArray, like, or, sql } from "drizzle-orm";
import { whatsappConnections, whatsappContext, whatsappMessages, whatsappPending } from "../../db/schema";
import { requireVerifiedAccount } from "../accounts/verified";
import { findModel } from "../ai/catalogue";
import type { Config } from "../config";
import type { Db } from "../env";
import { AppError, badRequest, notFound } from "../errors";
import { forgetNumberContacts } from "./contacts";
import { tokenControlsNumber } from "./graph";
import { newWebhookSecret, webhookUrlProblem } from "./hand-off-webhook";
import { keywordsOf } from "./keywords";
import { open, seal, sealedUnderMasterKey, verifyTokenHashes } from "./sealing";
import { forgetNumberTemplates } from "./template-forget";
import { syncTemplates } from "./templates";
import type { ConnectionSettings, ConnectionView } from "./views";

type Row = typeof whatsappConnections.$inferSelect;

/** What the API and dashboard show: settings and the status line, never a secret. */
function connectionView(row: Row | undefined): ConnectionView {
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  return {
    connected: Boolean(row),
    phoneNumberId: row?.phoneNumberId ?? null,
    wabaId: row?.wabaId ?? null,
    model: row?.model ?? null,
    systemPrompt: row?.systemPrompt ?? null,
    nonTextMessages: row?.nonTextMessages ?? null,
    webhookPath: "/webhooks/whatsapp",
    optOut: row ? { stopKeywords: keywordsOf(row).stop, startKeywords: keywordsOf(row).start } : null,
    handOff: row ? { keywords: keywordsOf(row).handOff, webhookUrl: row.handOffWebhookUrl ?? null } : null,
    connectedAt: iso(row?.createdAt),
    updatedAt: iso(row?.updatedAt),
    status: {
      lastMessageAt: iso(row?.lastReceivedAt),
      lastReplyAt: iso(row?.lastReplyAt),
      lastErrorAt: iso(row?.lastErrorAt),
      lastError: row?.lastError ?? null,
    },
  };
}

/** How many numbers one account may connect. */
const MAX_NUMBERS_PER_ACCOUNT = 20;

/** One of the account's numbers, or (without a phone number id) the first it connected. */
export async function findConnection(
  db: Db,
  accountId: string,
  phoneNumberId?: string,
): Promise<Row | undefined> {
  return db.query.whatsappConnections.findFirst({
    where: phoneNumberId
      ? and(
          eq(whatsappConnections.accountId, accountId),
          eq(whatsappConnections.phoneNumberId, phoneNumberId),
        )
      : eq(whatsappConnections.accountId, accountId),
    orderBy: [asc(whatsappConnections.createdAt), asc(whatsappConnections.phoneNumberId)],
  });
}

/** Every number the account connected, oldest first. */
async function listConnections(db: Db, accountId: string): Promise<Row[]> {
  return db
    .select()
    .from(whatsappConnections)
    .where(eq(whatsappConnections.accountId, accountId))
    .orderBy(asc(whatsappConnections.createdAt), asc(whatsappConnections.phoneNumberId));
}

/** A number not (yet) connected: what the form to add one starts from. */
export const disconnectedView = (): ConnectionView => connectionView(undefined);

export async function getConnectionView(
  db: Db,
  accountId: string,
  phoneNumberId?: string,
): Promise<ConnectionView> {
  return connectionView(await findConnection(db, accountId, phoneNumberId));
}

export async function listConnectionViews(db: Db, accountId: string): Promise<ConnectionView[]> {
  return (await listConnections(db, accountId)).map(connectionView);
}

/** The connections that own these phone number ids (a notification names one or a few). */
export async function connectionsByNumber(db: Db, phoneNumberIds: string[]): Promise<Row[]> {
  if (phoneNumberIds.length === 0) return [];
  return db
    .select()
    .from(whatsappConnections)
    .where(inArray(whatsappConnections.phoneNumberId, phoneNumberIds));
}

/** The connections that named one of these WhatsApp Business Account ids. */
export async function connectionsByWaba(db: Db, wabaIds: string[]): Promise<Row[]> {
  if (wabaIds.length === 0) return [];
  return db.select().from(whatsappConnections).where(inArray(whatsappConnections.wabaId, wabaIds));
}

/** True when some connected account chose this verify token (looked up by keyed hash, nothing decrypted). */
export async function verifyTokenKnown(env: Env, db: Db, token: string): Promise<boolean> {
  const hashes = await verifyTokenHashes(env, token);
  const row = await db
    .select({ phoneNumberId: whatsappConnections.phoneNumberId })
    .from(whatsappConnections)
    .where(inArray(whatsappConnections.verifyTokenHash, hashes))
    .limit(1);
  return row.length > 0;
}

export const openAppSecret = (env: Env, row: Row) =>
  open(env, row.accountId, "app_secret", row.appSecretSealed);
const openAccessToken = (env: Env, row: Row) =>
  open(env, row.accountId, "access_token", row.accessTokenSealed);

function requireChatModel(config: Config, id: string): void {
  const model = findModel(config, id);
  if (model?.kind !== "chat") {
    throw badRequest(`Model ${id} is not a chat model available here.`, "model", "model_not_found");
  }
}

/** True when the change (re)connects a number: a first connection, another number, or new secrets. */
export function reconnects(existing: Row | undefined, input: ConnectionSettings): boolean {
  return (
    !existing ||
    existing.phoneNumberId !== input.phoneNumberId ||
    Boolean(input.accessToken || input.appSecret || input.verifyToken)
  );
}

/**
 * The one answer for a number that cannot be connected here — whether the token does not control it or
 * another account already connected it — so the answer never tells which numbers are taken.
 */
const notProven = () =>
  badRequest(
    "Meta did not confirm that this access token controls this phone number id. Check both in WhatsApp Manager.",
    "phoneNumberId",
    "phone_number_not_verified",
  );

/**
 * Connects or updates one of the account's numbers: `target` is the number being edited (undefined to add
 * one); when `input.phoneNumberId` differs from it, that row moves to the new number. Before a number is
 * (re)connected, the Graph API must confirm that the access token controls it; one phone number id belongs
 * to one account. Sudo mode is checked by the caller when reconnects() says so.
 */
export async function saveConnection(
  env: Env,
  db: Db,
  config: Config,
  accountId: string,
  input: ConnectionSettings,
  target?: string,
): Promise<ConnectionView> {
  requireChatModel(config, input.model);
  const existing = target ? await findConnection(db, accountId, target) : undefined;
  if (!existing) {
    await requireVerifiedAccount(db, accountId);
    const count = (await listConnections(db, accountId)).length;
    const adding = !(await findConnection(db, accountId, input.phoneNumberId));
    if (adding && count >= MAX_NUMBERS_PER_ACCOUNT)
      throw new AppError(409, `An account can connect at most ${MAX_NUMBERS_PER_ACCOUNT} numbers.`, {
        code: "too_many_numbers",
        param: "phoneNumberId",
      });
  }
  const { accessToken, appSecret, verifyToken } = input;
  if (!existing && (!accessToken || !appSecret || !verifyToken)) {
    const param = !accessToken ? "accessToken" : !appSecret ? "appSecret" : "verifyToken";
    throw badRequest("Access token, app secret and verify token are required to connect.", param);
  }
  const numberChanges = existing?.phoneNumberId !== input.phoneNumberId;
  if (numberChanges || accessToken) {
    const token = accessToken ?? (existing ? await openAccessToken(env, existing) : "");
    if (!(await tokenControlsNumber(config, { phoneNumberId: input.phoneNumberId, accessToken: token })))
      throw notProven();
  }
  const owner = await db.query.whatsappConnections.findFirst({
    columns: { accountId: true },
    where: eq(whatsappConnections.phoneNumberId, input.phoneNumberId),
  });
  if (owner && owner.accountId !== accountId) throw notProven();
  if (owner && existing && numberChanges)
    throw new AppError(409, "This number is already connected to your account; edit it there.", {
      code: "number_already_connected",
      param: "phoneNumberId",
    });
  // Adding a number the account already has is editing it.
  const current = existing ?? (owner ? await findConnection(db, accountId, input.phoneNumberId) : undefined);

  const webhook = await webhookChange(env, config, accountId, input.handOffWebhookUrl, current);
  const now = new Date();
  const values = {
    ...(input.stopKeywords !== undefined ? { stopKeywords: input.stopKeywords } : {}),
    ...(input.startKeywords !== undefined ? { startKeywords: input.startKeywords } : {}),
    ...(input.handOffKeywords !== undefined ? { handOffKeywords: input.handOffKeywords } : {}),
    ...webhook.values,
    phoneNumberId: input.phoneNumberId,
    wabaId: input.wabaId,
    model: input.model,
    systemPrompt: input.systemPrompt,
    nonTextMessages: input.nonTextMessages ?? current?.nonTextMessages ?? "reply",
    updatedAt: now,
    ...(accessToken ? { accessTokenSealed: await seal(env, accountId, "access_token", accessToken) } : {}),
    ...(appSecret ? { appSecretSealed: await seal(env, accountId, "app_secret", appSecret) } : {}),
    ...(verifyToken ? { verifyTokenHash: (await verifyTokenHashes(env, verifyToken))[0]! } : {}),
  };
  try {
    if (current) {
      await db
        .update(whatsappConnections)
        .set(values)
        .where(
          and(
            eq(whatsappConnections.accountId, accountId),
            eq(whatsappConnections.phoneNumberId, current.phoneNumberId),
          ),
        );
    } else {
      await db.insert(whatsappConnections).values({
        ...values,
        accountId,
        accessTokenSealed: values.accessTokenSealed!,
        appSecretSealed: values.appSecretSealed!,
        verifyTokenHash: values.verifyTokenHash!,
        createdAt: now,
      });
    }
  } catch (error) {
    // Two accounts racing for the same number: the unique index decides, the loser gets the same answer.
    if (String((error as Error)?.message ?? "").includes("UNIQUE")) throw notProven();
    throw error;
  }
  // A new number, business account or token: its templates are read from Meta now (a failure shows on the page).
  if (!current || current.wabaId !== input.wabaId || accessToken || numberChanges) {
    const saved = await findConnection(db, accountId, input.phoneNumberId);
    if (saved) await syncTemplates(env, db, config, saved);
  }
  const view = await getConnectionView(db, accountId, input.phoneNumberId);
  if (webhook.secret && view.handOff) view.handOff.webhookSecret = webhook.secret;
  return view;
}

/**
 * The hand-off webhook's columns for a save: a new URL gets a new secret (returned once, stored sealed), the
 * same URL keeps its secret, "" removes both, undefined changes nothing.
 */
async function webhookChange(
  env: Env,
  config: Config,
  accountId: string,
  url: string | undefined,
  current: Row | undefined,
): Promise<{ values: Partial<Row>; secret?: string }> {
  if (url === undefined || url === (current?.handOffWebhookUrl ?? "")) return { values: {} };
  if (url === "") return { values: { handOffWebhookUrl: null, handOffWebhookSecretSealed: null } };
  const problem = webhookUrlProblem(config, url);
  if (problem) throw badRequest(problem, "handOffWebhookUrl");
  const secret = newWebhookSecret();
  const sealed = await seal(env, accountId, "hand_off_webhook_secret", secret);
  return { values: { handOffWebhookUrl: url, handOffWebhookSecretSealed: sealed }, secret };
}

/**
 * Disconnects one number: its secrets go, and so does anything of its conversations still waiting to be
 * answered or kept as context.
 */
export async function deleteConnection(db: Db, accountId: string, phoneNumberId: string): Promise<void> {
  const ofNumber = sql`SELECT ${whatsappMessages.id} FROM ${whatsappMessages}
    WHERE ${whatsappMessages.accountId} = ${accountId} AND ${whatsappMessages.phoneNumberId} = ${phoneNumberId}`;
  const [deleted] = await db.batch([
    db
      .delete(whatsappConnections)
      .where(
        and(
          eq(whatsappConnections.accountId, accountId),
          eq(whatsappConnections.phoneNumberId, phoneNumberId),
        ),
      )
      .returning({ id: whatsappConnections.phoneNumberId }),
    db
      .delete(whatsappPending)
      .where(
        and(eq(whatsappPending.accountId, accountId), sql`${whatsappPending.messageId} IN (${ofNumber})`),
      ),
    db
      .delete(whatsappContext)
      .where(and(eq(whatsappContext.accountId, accountId), eq(whatsappContext.phoneNumberId, phoneNumberId))),
    db
      .update(whatsappMessages)
      .set({ status: "failed", error: "disconnected", leaseUntil: null, nextAttemptAt: null })
      .where(
        and(
          eq(whatsappMessages.accountId, accountId),
          eq(whatsappMessages.phoneNumberId, phoneNumberId),
          inArray(whatsappMessages.status, ["pending", "processing"]),
        ),
      ),
    ...forgetNumberContacts(db, accountId, phoneNumberId),
    ...forgetNumberTemplates(db, accountId, phoneNumberId),
  ]);
  if (deleted.length === 0) throw notFound("WhatsApp connection");
}

/** Disconnects every number of the account (its holder changed, or it is being erased). */
export async function deleteAllConnections(db: Db, accountId: string): Promise<void> {
  for (const row of await listConnections(db, accountId))
    await deleteConnection(db, accountId, row.phoneNumberId);
}

/** Connections saved before their secrets moved under the account's data key (ADR 053): re-sealed by the cron. */
const RESEAL_PER_TICK = 50;

export async function resealLegacyConnections(env: Env, db: Db): Promise<number> {
  const rows = await db
    .select()
    .from(whatsappConnections)
    .where(
      or(
        like(whatsappConnections.accessTokenSealed, "w1.%"),
        like(whatsappConnections.appSecretSealed, "w1.%"),
      ),
    )
    .limit(RESEAL_PER_TICK);
  for (const row of rows) {
    const reseal = async (field: "access_token" | "app_secret", value: string) =>
      sealedUnderMasterKey(value)
        ? seal(env, row.accountId, field, await open(env, row.accountId, field, value))
        : value;
    await db
      .update(whatsappConnections)
      .set({
        accessTokenSealed: await reseal("access_token", row.accessTokenSealed),
        appSecretSealed: await reseal("app_secret", row.appSecretSealed),
      })
      .where(
        and(
          eq(whatsappConnections.phoneNumberId, row.phoneNumberId),
          eq(whatsappConnections.accessTokenSealed, row.accessTokenSealed),
        ),
      );
  }
  return rows.length;
}
