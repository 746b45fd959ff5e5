// AUTH_LIMITS: the shape and defaults of every login, signup, reset and re-check throttle (README, Configuration).
import { z } from "zod";

/** Failed attempts allowed before delays start; each further failure doubles the wait, up to maxSeconds. */
const growing = (free: number) =>
  z
    .strictObject({
      free: z.number().int().min(1).max(1000).default(free),
      baseSeconds: z.number().int().min(1).max(86_400).default(30),
      maxSeconds: z.number().int().min(1).max(86_400).default(900),
    })
    .prefault({});
/** At most `limit` per window. */
const windowed = (limit: number, windowSeconds: number) =>
  z
    .strictObject({
      limit: z.number().int().min(1).max(100_000).default(limit),
      windowSeconds: z.number().int().min(1).max(86_400).default(windowSeconds),
    })
    .prefault({});

/** AUTH_LIMITS: every login, signup, reset and re-check throttle (README, Configuration). Partial JSON overrides the defaults. */
const authLimitsSchema = z
  .strictObject({
    /** Wrong passwords for one email from one client address. */
    loginPerEmailAndAddress: growing(5),
    /** Wrong passwords from one client address, whatever the email. */
    loginPerAddress: growing(50),
    /** Wrong passwords re-entered for sensitive changes, per account and client address. */
    passwordCheck: growing(5),
    /** Wrong second-factor codes (authenticator, recovery code, passkey), per account and client address. */
    secondFactor: growing(5),
    /** Wrong second-factor codes per account from anywhere: only someone who knew the password gets this far. */
    secondFactorPerAccount: growing(20),
    signupPerAddress: windowed(20, 3600),
    passwordResetPerAddress: windowed(10, 3600),
    /** Reset mails to one address (past it the answer stays 202, but no mail goes out). */
    passwordResetPerEmail: windowed(5, 3600),
    verificationResendPerAccount: windowed(3, 3600),
    /** Email changes asked for (each mails a confirmation link to the new address), per account. */
    emailChangePerAccount: windowed(5, 3600),
  })
  .prefault({});
export type AuthLimits = z.infer<typeof authLimitsSchema>;

export const authLimitsVar = z
  .string()
  .optional()
  .transform((s, ctx) => {
    if (!s?.trim()) return {};
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "AUTH_LIMITS must be JSON" });
      return z.NEVER;
    }
  })
  .pipe(authLimitsSchema);
