// Seeds an account with every kind of data the platform holds, so export and deletion tests cover all.
import { env } from "cloudflare:workers";
import { storeExchange } from "#worker/content/store";
import { sendNotice } from "#worker/notices/send";
import { call, newKeyUser, verifyEmail } from "./helpers";
import { sealRequestLog, seedRequestLog, usageRow } from "./request-log";

export const SECRETS = {
  accessToken: "SEALED-ACCESS-TOKEN-never-exported",
  appSecret: "SEALED-APP-SECRET-never-exported",
  pending: "SEALED-PENDING-BODY-never-exported",
};

export async function seedAccount(opts: { usageRows?: number; contentObjects?: number } = {}) {
  const user = await newKeyUser();
  await verifyEmail(user.email, user.cookie); // consent to training needs a proven address
  const id = user.id;
  const now = Date.now();
  await call("/api/settings/privacy", {
    method: "PUT",
    body: { trainingConsent: true },
    cookie: user.cookie,
  });
  const usage = opts.usageRows ?? 3;
  // The request log as the proxy leaves it: the oldest row sealed into an R2 segment, the rest in the object.
  const rows = Array.from({ length: usage }, (_, i) =>
    usageRow(id, user.keyId, {
      id: `${id}-u${i}`,
      model: "dev/echo",
      provider: "dev",
      inputTokens: 10,
      outputTokens: 20,
      costMicros: 30,
      latencyMs: 40,
      createdAt: i === usage - 1 && usage > 1 ? now - 30 * 24 * 3_600_000 : now - i,
    }),
  );
  await seedRequestLog(id, rows);
  if (usage > 1) await sealRequestLog(id);
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO billing_accounts (account_id, balance_micros, created_at) VALUES (?, 0, ?)",
    ).bind(id, now),
    env.DB.prepare(
      "INSERT INTO credit_ledger (id, account_id, kind, amount_micros, reason, reference, created_at) VALUES (?, ?, 'topup', 5000000, 'Top-up', ?, ?)",
    ).bind(crypto.randomUUID(), id, `pi_${crypto.randomUUID()}`, now),
    env.DB.prepare(
      "INSERT INTO billing_invoices (id, account_id, number, status, amount_due_cents, amount_paid_cents, currency, event_at, created_at) VALUES (?, ?, 'INV-1', 'paid', 500, 500, 'usd', 1, ?)",
    ).bind(`in_${crypto.randomUUID()}`, id, now),
    env.DB.prepare(
      `INSERT INTO whatsapp_connections (account_id, phone_number_id, waba_id, access_token_sealed, app_secret_sealed,
         verify_token_hash, model, system_prompt, created_at, updated_at) VALUES (?, ?, 'waba', ?, ?, 'vhash', 'dev/echo', 'Be kind', ?, ?)`,
    ).bind(id, `pn-${id}`, SECRETS.accessToken, SECRETS.appSecret, now, now),
    env.DB.prepare(
      `INSERT INTO whatsapp_messages (account_id, id, direction, type, contact_hash, status, sent_at, created_at, updated_at)
       VALUES (?, ?, 'in', 'text', 'chash', 'replied', ?, ?, ?)`,
    ).bind(id, `wamid.${id}`, now, now, now),
    env.DB.prepare(
      "INSERT INTO whatsapp_pending (account_id, message_id, recipient_sealed, body_sealed, expires_at) VALUES (?, ?, 'r', ?, ?)",
    ).bind(id, `wamid.${id}`, SECRETS.pending, now + 1000),
    // A notice still in the outbox (the mail provider was down): it goes with the account.
    env.DB.prepare(
      `INSERT INTO notice_outbox (id, account_id, "to", kind, subject, text, created_at, attempts, next_attempt_at, lease_until)
       VALUES (?, ?, ?, 'low_balance', 'Low balance', 'Top up.', ?, 1, ?, 0)`,
    ).bind(`pending-${id}`, id, user.email, now, now + 60_000),
  ]);
  await sendNotice(env, {
    to: user.email,
    kind: "low_balance",
    subject: "Low balance",
    text: "Top up.",
    accountId: id,
  });
  // Logged content as the proxy stores it: encrypted with the account's data key (which the sealed request
  // log above needs too), so the export can read it.
  const objects = opts.contentObjects ?? 2;
  for (let i = 0; i < objects; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, objects - i) }, (_, j) =>
        storeExchange(
          env,
          {
            accountId: id,
            requestId: `req-${i + j}`,
            source: "chat.completions",
            model: "dev/echo",
            request: '{"messages":[]}',
            response: '{"choices":[]}',
            createdAt: new Date("2026-11-29T12:00:00Z"),
          },
          { enabled: true, retentionDays: 30, trainingConsent: true, dataPolicy: "any" },
        ),
      ),
    );
  }
  return user;
}
