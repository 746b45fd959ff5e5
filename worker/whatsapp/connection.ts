// The account's WhatsApp connection: save (secrets sealed), read (never the secrets), remove, and find by number.

import { and, eq, inArray, like, or } from "drizzle-orm";
import { whatsappConnections, whatsappContext, whatsappMessages, whatsappPending } from "../../db/schema";
import { requireVerifiedAccount } from "../accounts/verified";
import { findModel } from "../ai/catalogue";
import type { Config } from "../config";
import type { Db } from "../env";
import { badRequest, notFound } from "../errors";
import { tokenControlsNumber } from "./graph";
import { open, seal, sealedUnderMasterKey, verifyTokenHashes } from "./sealing";
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

export async function findConnection(db: Db, accountId: string): Promise<Row | undefined> {
  return db.query.whatsappConnections.findFirst({ where: eq(whatsappConnections.accountId, accountId) });
}

export async function getConnectionView(db: Db, accountId: string): Promise<ConnectionView> {
  return connectionView(await findConnection(db, accountId));
}

/** The connections that own these phone number ids (a notification names one or a few). */
export async function connectionsByNumber(db: Db, phoneNumberIds: string[]): Promise<Row[]> {
  if (phoneNumberIds.length === 0) return [];
  return db
    .select()
    .from(whatsappConnections)
    .where(inArray(whatsappConnections.phoneNumberId, phoneNumberIds));
}

/** True when some connected account chose this verify token (looked up by keyed hash, nothing decrypted). */
export async function verifyTokenKnown(env: Env, db: Db, token: string): Promise<boolean> {
  const hashes = await verifyTokenHashes(env, token);
  const row = await db
    .select({ accountId: whatsappConnections.accountId })
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
 * Connects or updates the account's number. Before a number is (re)connected, the Graph API must confirm
 * that the access token controls it; one phone number id belongs to one account. Sudo mode is checked by
 * the caller when reconnects() says so.
 */
export async function saveConnection(
  env: Env,
  db: Db,
  config: Config,
  accountId: string,
  input: ConnectionSettings,
): Promise<ConnectionView> {
  requireChatModel(config, input.model);
  const existing = await findConnection(db, accountId);
  if (!existing) await requireVerifiedAccount(db, accountId);
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

  const now = new Date();
  const values = {
    phoneNumberId: input.phoneNumberId,
    wabaId: input.wabaId,
    model: input.model,
    systemPrompt: input.systemPrompt,
    nonTextMessages: input.nonTextMessages ?? existing?.nonTextMessages ?? "reply",
    updatedAt: now,
    ...(accessToken ? { accessTokenSealed: await seal(env, accountId, "access_token", accessToken) } : {}),
    ...(appSecret ? { appSecretSealed: await seal(env, accountId, "app_secret", appSecret) } : {}),
    ...(verifyToken ? { verifyTokenHash: (await verifyTokenHashes(env, verifyToken))[0]! } : {}),
  };
  try {
    if (existing) {
      await db.update(whatsappConnections).set(values).where(eq(whatsappConnections.accountId, accountId));
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
  return getConnectionView(db, accountId);
}

/** Disconnects: the secrets go, and so does anything still waiting to be answered or kept as context. */
export async function deleteConnection(db: Db, accountId: string): Promise<void> {
  const [deleted] = await db.batch([
    db
      .delete(whatsappConnections)
      .where(eq(whatsappConnections.accountId, accountId))
      .returning({ id: whatsappConnections.accountId }),
    db.delete(whatsappPending).where(eq(whatsappPending.accountId, accountId)),
    db.delete(whatsappContext).where(eq(whatsappContext.accountId, accountId)),
    db
      .update(whatsappMessages)
      .set({ status: "failed", error: "disconnected", leaseUntil: null, nextAttemptAt: null })
      .where(
        and(
          eq(whatsappMessages.accountId, accountId),
          inArray(whatsappMessages.status, ["pending", "processing"]),
        ),
      ),
  ]);
  if (deleted.length === 0) throw notFound("WhatsApp connection");
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
          eq(whatsappConnections.accountId, row.accountId),
          eq(whatsappConnections.accessTokenSealed, row.accessTokenSealed),
        ),
      );
  }
  return rows.length;
}
