// Rectification (GDPR Art. 16) through PATCH /api/account: a name changes at once; a new email needs the
// current password (sudo) and changes only when a link sent to that address is used, so nobody can move an
// account to an address they do not hold, and the old address is told (worker/accounts/email-change.ts).
import { requestEmailChange } from "../accounts/email-change";
import { emailTaken, getAccount, normalizeEmail, updateAccount } from "../accounts/service";
import { requireSudo } from "../accounts/sudo";
import { requireVerifiedSession } from "../accounts/verified";
import type { AccountPatchInput, RectifiedAccountView } from "../accounts/views";
import { getConfig } from "../config";
import { getDb } from "../db";
import type { SessionPrincipal } from "../env";
import { conflict } from "../errors";
import { throttle } from "../security/rate-limit";
import { subjectOf } from "./subject";
import { recordTrail } from "./trail";

export async function rectify(
  env: Env,
  session: SessionPrincipal,
  patch: AccountPatchInput,
  headers: Headers,
  origin: string,
): Promise<RectifiedAccountView> {
  const db = getDb(env.DB);
  const { accountId } = session;
  const current = await getAccount(db, accountId);
  const email = patch.email === undefined ? undefined : normalizeEmail(patch.email);
  const changesEmail = email !== undefined && email !== current.email;
  if (changesEmail) {
    requireVerifiedSession(session);
    await requireSudo(env, session, patch.password, headers);
    // Each change mails the new address: without a cap, an account is a way to mail anyone, endlessly.
    const limit = getConfig(env).authLimits.emailChangePerAccount;
    await throttle(db, `email-change:${accountId}`, limit.limit, limit.windowSeconds);
    if (await emailTaken(db, email))
      throw conflict("An account with this email already exists.", "email_taken");
  }
  const subject = await subjectOf(env, accountId);
  let view = current;
  if (patch.name !== undefined) {
    view = await updateAccount(db, accountId, { name: patch.name });
    await recordTrail(db, { requestId: null, subject, actor: "subject", action: "rectification.name" });
  }
  if (changesEmail) {
    await requestEmailChange(env, session, email, origin);
    await recordTrail(db, {
      requestId: null,
      subject,
      actor: "subject",
      action: "rectification.email_requested",
    });
  }
  return { ...view, pendingEmail: changesEmail ? email : null };
}
