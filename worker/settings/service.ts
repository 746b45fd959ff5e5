// Changing privacy settings: the rules beyond the schema, then the change, then the caches that must
// not keep acting on the old choice.

import { requireVerifiedAccount } from "../accounts/verified";
import { forgetLoggingPolicy } from "../content/policy";
import { masterKeys } from "../crypto/master-key";
import type { Db } from "../env";
import { AppError } from "../errors";
import { type ConsentChannel, updatePrivacySettings } from "./store";
import type { PrivacySettings, PrivacySettingsPatch } from "./views";

/** Whether a usable MASTER_KEY is configured (present and 32 bytes), so content can be sealed. */
async function encryptionAvailable(env: Env): Promise<boolean> {
  const keys = masterKeys(env);
  return keys !== null && (await keys.then(() => true).catch(() => false));
}

/** Applies a validated patch for one account; refuses logging when content could not be encrypted. */
export async function changePrivacySettings(
  db: Db,
  env: Env,
  accountId: string,
  patch: PrivacySettingsPatch,
  channel: ConsentChannel,
): Promise<PrivacySettings> {
  // Keeping content, or sharing it for training, waits until the address is proven (ADR 009).
  if (patch.contentLogging || patch.trainingConsent) await requireVerifiedAccount(db, accountId);
  if (patch.contentLogging && !(await encryptionAvailable(env))) {
    throw new AppError(409, "Content logging is unavailable: the operator has not configured encryption.", {
      code: "encryption_unavailable",
      param: "contentLogging",
    });
  }
  const settings = await updatePrivacySettings(db, accountId, patch, channel);
  // The request path reads the data policy from the same cache: evicted here, the next request re-reads it.
  forgetLoggingPolicy(accountId);
  return settings;
}
