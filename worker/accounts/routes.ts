// /api/auth/* (sessions, verification, sudo, passwords) and /api/account.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, errorResponses, jsonBody, jsonContent } from "../openapi";
import { rectify } from "../privacy/rectification";
import { requireSession, sessionRouter } from "./middleware";
import { changePassword, confirmPasswordReset, requestPasswordReset } from "./password-change";
import { pendingLoginCookie } from "./second-factor/challenges";
import { secondFactorRoutes } from "./second-factor/routes";
import { getAccount, logIn, signUp } from "./service";
import { endOtherSessions, endRequestSession, sessionClearCookie, sessionSetCookie } from "./sessions";
import { reauthenticate } from "./sudo";
import { resendVerification } from "./verification";
import {
  Account,
  AccountPatch,
  Credentials,
  CurrentPassword,
  PasswordChange,
  RectifiedAccount,
  ResetConfirm,
  ResetRequest,
  SignUp,
} from "./views";

const Reauth = z
  .union([
    z.strictObject({ password: CurrentPassword }),
    z.strictObject({
      code: z
        .string()
        .trim()
        .regex(/^\d{3} ?\d{3}$/, "Enter the 6-digit code."),
    }),
    z.strictObject({ recoveryCode: z.string().trim().min(16).max(40) }),
  ])
  .openapi("Reauth");
const origin = (c: { req: { url: string } }) => new URL(c.req.url).origin;
const noStore = { "Cache-Control": "no-store" };
const session = [{ session: [] }];

export const authRoutes = createRouter();
// The paths are guarded for every method; each route's own middleware also types c.var.session for its handler.
authRoutes.use("/verify-email/*", requireSession);
authRoutes.use("/reauth", requireSession);
authRoutes.use("/password", requireSession);
authRoutes.use("/logout-others", requireSession);
authRoutes
  .openapi(
    createRoute({
      method: "post",
      path: "/signup",
      tags: ["Auth"],
      summary: "Create an account and start a session; a verification link is mailed to the address",
      request: jsonBody(SignUp),
      responses: {
        201: jsonContent(z.object({ account: Account }), "Created; the session cookie is set"),
        ...errorResponses(400, 409, 413, 415, 429),
      },
    }),
    async (c) => {
      const { account, token, expiresAt } = await signUp(c.env, c.req.valid("json"), c.req.raw, origin(c));
      c.header("Set-Cookie", sessionSetCookie(c.req.url, token, expiresAt));
      return c.json({ account }, 201, noStore);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      tags: ["Auth"],
      summary:
        "Start a session (wrong passwords slow down per email and client address, and per address); with a second factor on, a pending login that POST /api/auth/login/2fa or a passkey completes",
      request: jsonBody(Credentials),
      responses: {
        200: jsonContent(
          z.union([
            z.object({ account: Account }),
            z.object({
              mfaRequired: z.literal(true),
              methods: z.array(z.enum(["totp", "passkey", "recovery_code"])),
            }),
          ]),
          "Logged in (the session cookie is set), or the second factor is needed (a pending-login cookie is set, no session)",
        ),
        ...errorResponses(400, 401, 413, 415, 429),
      },
    }),
    async (c) => {
      const result = await logIn(c.env, c.req.valid("json"), c.req.raw);
      await endRequestSession(c.var.db, c.req.raw); // rotate: never keep a pre-login session id
      if (result.kind === "second_factor") {
        c.header("Set-Cookie", pendingLoginCookie(c.req.url, result.token, result.expiresAt));
        c.header("Set-Cookie", sessionClearCookie(c.req.url), { append: true });
        return c.json({ mfaRequired: true as const, methods: result.methods }, 200, noStore);
      }
      c.header("Set-Cookie", sessionSetCookie(c.req.url, result.token, result.expiresAt));
      return c.json({ account: result.account }, 200, noStore);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/logout",
      tags: ["Auth"],
      summary: "End the session",
      responses: { 204: { description: "Logged out; the cookie is cleared" } },
    }),
    async (c) => {
      await endRequestSession(c.var.db, c.req.raw);
      c.header("Set-Cookie", sessionClearCookie(c.req.url));
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/logout-others",
      tags: ["Auth"],
      summary: "End every other session of your account (this one stays)",
      security: session,
      middleware: [requireSession] as const,
      responses: { 204: { description: "Every other session ended" }, ...errorResponses(401) },
    }),
    async (c) => {
      const { accountId, sessionHash } = c.var.session;
      await endOtherSessions(c.var.db, accountId, sessionHash);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/verify-email/resend",
      tags: ["Auth"],
      summary: "Mail a new verification link to your address (throttled)",
      security: session,
      middleware: [requireSession] as const,
      responses: {
        202: jsonContent(z.object({ sent: z.literal(true) }), "A new link is on its way"),
        ...errorResponses(401, 409, 429),
      },
    }),
    async (c) => {
      await resendVerification(c.env, c.var.session, origin(c));
      return c.json({ sent: true as const }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/reauth",
      tags: ["Auth"],
      summary:
        "Re-enter your password (or a second-factor code): sensitive changes on this session need no password for 10 minutes",
      security: session,
      middleware: [requireSession] as const,
      request: jsonBody(Reauth),
      responses: {
        204: { description: "Re-authenticated" },
        ...errorResponses(400, 401, 415, 429),
      },
    }),
    async (c) => {
      await reauthenticate(c.env, c.var.session, c.req.valid("json"), c.req.raw.headers);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/password",
      tags: ["Auth"],
      summary: "Change your password (current password or a recent re-auth); every other session ends",
      security: session,
      middleware: [requireSession] as const,
      request: jsonBody(PasswordChange),
      responses: {
        204: { description: "Changed" },
        ...errorResponses(400, 401, 415, 429),
      },
    }),
    async (c) => {
      await changePassword(c.env, c.var.session, c.req.valid("json"), c.req.raw.headers);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/password-reset",
      tags: ["Auth"],
      summary: "Mail a password-reset link; always 202, whether or not an account holds the address",
      request: jsonBody(ResetRequest),
      responses: {
        202: jsonContent(
          z.object({ status: z.literal("accepted") }),
          "If an account holds it, a link is sent",
        ),
        ...errorResponses(400, 415, 429),
      },
    }),
    async (c) => {
      await requestPasswordReset(c.env, c.req.valid("json"), c.req.raw.headers, origin(c));
      return c.json({ status: "accepted" as const }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/password-reset/confirm",
      tags: ["Auth"],
      summary: "Choose a new password with a reset link's token; every session of the account ends",
      request: jsonBody(ResetConfirm),
      responses: {
        204: { description: "Password reset; log in with the new one" },
        ...errorResponses(400, 415),
      },
    }),
    async (c) => {
      await confirmPasswordReset(c.env, c.req.valid("json"));
      c.header("Set-Cookie", sessionClearCookie(c.req.url));
      return c.body(null, 204);
    },
  );

authRoutes.route("/", secondFactorRoutes);

export const accountRoutes = sessionRouter();
accountRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["Account"],
      summary: "Your profile",
      security: session,
      responses: { 200: jsonContent(Account, "The account"), ...errorResponses(401) },
    }),
    async (c) => c.json(await getAccount(c.var.db, c.var.session.accountId), 200, noStore),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/",
      tags: ["Account"],
      summary: "Correct your name, or change your email (needs your current password or a recent re-auth)",
      security: session,
      request: jsonBody(AccountPatch),
      responses: {
        200: jsonContent(
          RectifiedAccount,
          "The account; a new email waits in pendingEmail until confirmed by the link sent to it",
        ),
        ...errorResponses(400, 401, 409, 415, 429),
      },
    }),
    // A new email takes effect only once a link sent to it is used (see worker/accounts/email-change.ts).
    async (c) =>
      c.json(
        await rectify(c.env, c.var.session, c.req.valid("json"), c.req.raw.headers, origin(c)),
        200,
        noStore,
      ),
  );
