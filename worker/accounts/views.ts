// The account's shapes, declared once: the zod schemas validate and document /api/auth/* and /api/account,
// and the types the account services and rectification take and return are derived from them.
import { z } from "@hono/zod-openapi";
import { IsoDate } from "../openapi";
import { PASSWORD_LENGTH } from "./password-length";

const Email = z.string().trim().pipe(z.email().max(254)).openapi({ example: "ada@example.com" });
const Password = z
  .string()
  .min(PASSWORD_LENGTH.min, `Use at least ${PASSWORD_LENGTH.min} characters.`)
  .max(PASSWORD_LENGTH.max);
/** A password being checked (not chosen): any length up to the cap, so old short ones still fail cleanly. */
export const CurrentPassword = z.string().min(1).max(PASSWORD_LENGTH.max);

export const Credentials = z.strictObject({ email: Email, password: Password }).openapi("Credentials");
export const SignUp = z
  .strictObject({ email: Email, password: Password, name: z.string().trim().min(1).max(100).optional() })
  .openapi("SignUp");
export const PasswordChange = z
  .strictObject({
    currentPassword: CurrentPassword.optional().openapi({
      description: "Required unless you re-authenticated in the last 10 minutes.",
    }),
    newPassword: Password,
  })
  .openapi("PasswordChange");
export const ResetRequest = z.strictObject({ email: Email }).openapi("PasswordResetRequest");
export const ResetConfirm = z
  .strictObject({ token: z.string().min(10).max(128), newPassword: Password })
  .openapi("PasswordResetConfirm");

export const Account = z
  .object({
    id: z.string(),
    email: z.string(),
    emailVerified: z.boolean().openapi({ description: "The address was proven by the link mailed to it." }),
    name: z.string().nullable(),
    createdAt: IsoDate,
  })
  .openapi("Account");

export const AccountPatch = z
  .strictObject({
    email: Email.optional(),
    password: CurrentPassword.optional().openapi({
      description: "Your current password: needed to change the email unless you re-authenticated recently.",
    }),
    name: z.string().trim().min(1).max(100).nullable().optional(),
  })
  .openapi("AccountPatch");

/** The account after a PATCH: a new email waits in pendingEmail until the link sent to it is used. */
export const RectifiedAccount = Account.extend({ pendingEmail: z.string().nullable() });

export type CredentialsInput = z.infer<typeof Credentials>;
export type SignUpInput = z.infer<typeof SignUp>;
export type PasswordChangeInput = z.infer<typeof PasswordChange>;
export type ResetRequestInput = z.infer<typeof ResetRequest>;
export type ResetConfirmInput = z.infer<typeof ResetConfirm>;
export type AccountView = z.infer<typeof Account>;
export type AccountPatchInput = z.infer<typeof AccountPatch>;
export type RectifiedAccountView = z.infer<typeof RectifiedAccount>;
