// Seeds an account with every kind of data the platform holds, so export and deletion tests cover all.
import { env } from "cloudflare:workers";
import { sendNotice } from "#worker/notices/send";
import { call, newKeyUser, verifyEmail } from "./helpers";

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
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < usage; i++) {
    statements.push(
      env.DB.prepare(
        `INSERT INTO usage_events (id, account_id, key_id, source, endpoint, model, provider, input_tokens, output_tokens,
           cost_micros, latency_ms, status, streamed, estimated, created_at)
         VALUES (?, ?, ?, 'api', 'chat.completions', 'dev/echo', 'dev', 10, 20, 30, 40, 200, 0, 0, ?)`,
      ).bind(`${id}-u${i}`, id, user.keyId, now - i),
    );
  }
  for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500));
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
  const objects = opts.contentObjects ?? 2;
  for (let i = 0; i < objects; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, objects - i) }, (_, j) =>
        env.CONTENT.put(`content/30d/${id}/2026-11-29/req-${i + j}`, "sealed", {
          customMetadata: { acct: id },
        }),
      ),
    );
  }
  return user;
}
