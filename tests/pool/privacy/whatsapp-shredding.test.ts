// Crypto-shredding covers WhatsApp: after erasure, no sealed WhatsApp value read raw from D1 (what a backup
// or Time Travel would still hold) decrypts with any key that survives the account.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { forgetDataKey } from "#worker/content/data-keys";
import { fromBase64Url, toBase64Url } from "#worker/crypto/encoding";
import { derive } from "#worker/crypto/master-key";
import { getDb } from "#worker/db";
import { resealLegacyConnections } from "#worker/whatsapp/connection";
import { open } from "#worker/whatsapp/sealing";
import { call, PASSWORD } from "../support/helpers";
import { settle } from "../support/privacy-drive";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  inboundMessage,
  notification,
  scriptGraph,
  sentFrom,
} from "../support/whatsapp-helpers";

type Sealed = { field: string; value: string };

/** Every sealed value the account has in D1, with the field it was sealed for. */
async function sealedValues(accountId: string): Promise<Sealed[]> {
  const out: Sealed[] = [];
  const connection = await env.DB.prepare(
    "SELECT access_token_sealed, app_secret_sealed FROM whatsapp_connections WHERE account_id = ?",
  )
    .bind(accountId)
    .first<{ access_token_sealed: string; app_secret_sealed: string }>();
  if (connection) {
    out.push({ field: "access_token", value: connection.access_token_sealed });
    out.push({ field: "app_secret", value: connection.app_secret_sealed });
  }
  const { results: pending } = await env.DB.prepare(
    "SELECT message_id, recipient_sealed, body_sealed, reply_sealed FROM whatsapp_pending WHERE account_id = ?",
  )
    .bind(accountId)
    .all<{
      message_id: string;
      recipient_sealed: string;
      body_sealed: string | null;
      reply_sealed: string | null;
    }>();
  for (const p of pending) {
    out.push({ field: `pending.recipient|${p.message_id}`, value: p.recipient_sealed });
    if (p.body_sealed) out.push({ field: `pending.body|${p.message_id}`, value: p.body_sealed });
    if (p.reply_sealed) out.push({ field: `pending.reply|${p.message_id}`, value: p.reply_sealed });
  }
  const { results: context } = await env.DB.prepare(
    "SELECT message_id, body_sealed FROM whatsapp_context WHERE account_id = ?",
  )
    .bind(accountId)
    .all<{ message_id: string; body_sealed: string }>();
  for (const c of context) out.push({ field: `context|${c.message_id}`, value: c.body_sealed });
  return out;
}

/** Tries the raw ciphertext under every AES key derived from the master keys, whatever the additional data. */
async function opensUnderMasterKeys(accountId: string, s: Sealed): Promise<boolean> {
  const parts = s.value.split(".");
  const [iv, ciphertext] = parts.slice(-2) as [string, string];
  const labels = [`w1|${accountId}|${s.field}`, `${parts[0]}|${parts[1]}|${accountId}|${s.field}`];
  for (const key of await derive(env, "whatsapp-seal")) {
    for (const label of labels) {
      try {
        await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: new TextEncoder().encode(label) },
          key,
          fromBase64Url(ciphertext),
        );
        return true;
      } catch {
        // not under this key
      }
    }
  }
  return false;
}

it("after erasure, no WhatsApp row read raw decrypts with any key that survives the account", async () => {
  const user = await connectedUser();
  const put = await call("/api/settings/privacy", {
    method: "PUT",
    body: { contentLogging: true },
    cookie: user.cookie,
  });
  expect(put.status).toBe(200);
  const from = customerNumber();
  // One exchange answered (context kept, logging on), one still waiting after a Graph failure (pending kept).
  await deliverSigned(
    user.appSecret,
    notification(user.phoneNumberId, { messages: [inboundMessage({ from })] }),
  );
  expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
  await scriptGraph(user.phoneNumberId, 500, 1);
  await deliverSigned(
    user.appSecret,
    notification(user.phoneNumberId, { messages: [inboundMessage({ from, body: "And bread?" })] }),
  );
  const raw = await sealedValues(user.accountId);
  const fields = raw.map((s) => s.field.split("|")[0]);
  for (const f of [
    "access_token",
    "app_secret",
    "pending.recipient",
    "pending.body",
    "pending.reply",
    "context",
  ])
    expect(fields).toContain(f);
  // Before erasure every value opens, under the account's data key and not under a master-derived key.
  for (const s of raw) {
    await expect(open(env, user.accountId, s.field, s.value)).resolves.toBeTypeOf("string");
    expect(await opensUnderMasterKeys(user.accountId, s)).toBe(false);
  }

  const res = await call("/api/privacy/requests", {
    body: { type: "deletion", password: PASSWORD },
    cookie: user.cookie,
  });
  expect(res.status).toBe(202);
  expect(await settle(user.accountId, ((await res.json()) as { id: string }).id)).toBe("completed");
  expect(await sealedValues(user.accountId)).toEqual([]);

  // What a backup still holds: the same raw values, now opened with everything that survives. An isolate's
  // in-memory copy of the data key lasts a minute at most and is no backup: this one forgets it now.
  forgetDataKey(user.accountId);
  for (const s of raw) {
    await expect(open(env, user.accountId, s.field, s.value)).rejects.toThrow();
    expect(await opensUnderMasterKeys(user.accountId, s)).toBe(false);
  }
});

it("a connection sealed under MASTER_KEY before the data key took over is re-sealed under the data key by the sweep", async () => {
  const user = await connectedUser();
  // The connection as the first format (w1) stored it: a key derived from MASTER_KEY, which survives erasure.
  const [key] = await derive(env, "whatsapp-seal");
  const legacy = async (field: string, plaintext: string) => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(`w1|${user.accountId}|${field}`) },
      key!,
      new TextEncoder().encode(plaintext),
    );
    return `w1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
  };
  await env.DB.prepare(
    "UPDATE whatsapp_connections SET access_token_sealed = ?, app_secret_sealed = ? WHERE phone_number_id = ?",
  )
    .bind(
      await legacy("access_token", user.accessToken),
      await legacy("app_secret", user.appSecret),
      user.phoneNumberId,
    )
    .run();
  const before = await sealedValues(user.accountId);
  for (const s of before) expect(await opensUnderMasterKeys(user.accountId, s)).toBe(true);

  // One tick re-seals up to 50 connections (this file's only legacy one among them); the next finds none left.
  expect(await resealLegacyConnections(env, getDb(env.DB))).toBeGreaterThanOrEqual(1);
  expect(await resealLegacyConnections(env, getDb(env.DB))).toBe(0);
  const after = await sealedValues(user.accountId);
  expect(after.map((s) => s.value.split(".")[0])).toEqual(["w2", "w2"]);
  for (const s of after) expect(await opensUnderMasterKeys(user.accountId, s)).toBe(false);
  expect(await open(env, user.accountId, "access_token", after[0]!.value)).toBe(user.accessToken);
  expect(await open(env, user.accountId, "app_secret", after[1]!.value)).toBe(user.appSecret);
});
