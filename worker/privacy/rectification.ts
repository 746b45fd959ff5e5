// Rectification (GDPR Art. 16) through PATCH /api/account: a name changes at once; a new email changes
// only when a link sent to that address is used, so nobody can move an account to an address they do not hold.
import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema";
import { type AccountView, getAccount, normalizeEmail, updateAccount } from "../accounts/service";
import { getDb } from "../db";
import { conflict } from "../errors";
import { sendNotice } from "../notices/send";
import { audit } from "./audit";
import { createLinkToken } from "./requests/links";
import { subjectOf } from "./subject";

export async function rectify(
  env: Env,
  accountId: string,
  patch: { email?: string; name?: string | null },
  origin: string,
): Promise<AccountView & { pendingEmail: string | null }> {
  const db = getDb(env.DB);
  const current = await getAccount(db, accountId);
  const email = patch.email === undefined ? undefined : normalizeEmail(patch.email);
  const changesEmail = email !== undefined && email !== current.email;
  if (changesEmail) {
    const [taken] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.email, email));
    if (taken) throw conflict("An account with this email already exists.", "email_taken");
  }
  const subject = await subjectOf(env, accountId);
  let view = current;
  if (patch.name !== undefined) {
    view = await updateAccount(db, accountId, { name: patch.name });
    await audit(db, { requestId: null, subject, actor: "subject", action: "rectification.name" });
  }
  if (changesEmail) {
    const token = await createLinkToken(env, { purpose: "email_change", accountId, newEmail: email });
    await sendNotice(env, {
      to: email,
      kind: "email_change",
      subject: "Confirm your new email address",
      text: `Someone asked to use this address for their account. If it was you, confirm within 24 hours:\n\n${origin}/confirm?token=${token}\n\nIf not, ignore this message; nothing changes.`,
      accountId,
    });
    await audit(db, { requestId: null, subject, actor: "subject", action: "rectification.email_requested" });
  }
  return { ...view, pendingEmail: changesEmail ? email : null };
}
