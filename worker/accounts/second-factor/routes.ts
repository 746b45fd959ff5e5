// /api/auth/2fa/*, /api/auth/passkeys/*, /api/auth/login/2fa and /api/auth/sessions: second factors and the
// holder's own sessions. Mounted inside the auth router (worker/accounts/routes.ts).
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { SessionEnv } from "../../env";
import { notFound } from "../../errors";
import { createRouter, errorResponses, IsoDate, jsonBody, jsonContent } from "../../openapi";
import { requireSession } from "../middleware";
import { endSessionById, listSessions, recordReauth, sessionSetCookie } from "../sessions";
import { requireSudo, requireSudoAndRecord } from "../sudo";
import { CurrentPassword } from "../views";
import { clearPendingLoginCookie, sessionChallengeId } from "./challenges";
import { throttledFactorCheck } from "./check";
import { afterFactorRemoved, confirmTotp, factorStatus, removeTotpFactor } from "./factors";
import { completeLoginWithCode, completeLoginWithPasskey, pendingLoginPasskeyOptions } from "./login";
import {
  authenticationOptions,
  listPasskeys,
  registerPasskey,
  registrationOptions,
  removePasskey,
  verifyPasskey,
} from "./passkeys";
import { issueRecoveryCodes, RECOVERY_CODE_COUNT } from "./recovery-codes";
import { startTotp } from "./totp";

const noStore = { "Cache-Control": "no-store" };
const session = [{ session: [] }];
const origin = (c: { req: { url: string } }) => new URL(c.req.url).origin;

const Code = z
  .string()
  .trim()
  .regex(/^\d{3} ?\d{3}$/, "Enter the 6-digit code from your authenticator app.")
  .openapi({ example: "123456" });
const RecoveryCode = z.string().trim().min(16).max(40).openapi({ example: "abcd-efgh-jkmn-pqrs" });
const SudoBody = z
  .strictObject({
    password: CurrentPassword.optional().openapi({
      description: "Your password, unless you re-authenticated in the last 10 minutes.",
    }),
  })
  .openapi("SudoProof");
const sudoBody = {
  body: {
    required: false,
    description: "The password, unless you re-authenticated in the last 10 minutes",
    content: { "application/json": { schema: SudoBody } },
  },
};
const passwordOf = (c: { req: { valid: (t: "json") => unknown } }) =>
  (c.req.valid("json") as z.infer<typeof SudoBody> | undefined)?.password;

/** A WebAuthn answer as @simplewebauthn/browser sends it; the library checks the rest. */
const Credential = z
  .looseObject({
    id: z.string().min(1).max(1024),
    rawId: z.string().min(1).max(1024),
    type: z.literal("public-key"),
    response: z.looseObject({ clientDataJSON: z.string().max(8192) }),
    clientExtensionResults: z.looseObject({}).default({}),
  })
  .openapi("WebAuthnCredential");
const WebAuthnOptions = z.looseObject({ challenge: z.string() }).openapi("WebAuthnOptions");
const Passkey = z
  .object({ id: z.string(), name: z.string(), createdAt: IsoDate, lastUsedAt: IsoDate.nullable() })
  .openapi("Passkey");
const RecoveryCodes = z.array(z.string()).length(RECOVERY_CODE_COUNT);
const Account = z.object({ id: z.string(), email: z.string() }).passthrough();

export const secondFactorRoutes = createRouter();
secondFactorRoutes.use("/2fa/*", requireSession);
secondFactorRoutes.use("/sessions/*", requireSession);
secondFactorRoutes.use("/sessions", requireSession);
secondFactorRoutes.use("/passkeys", requireSession);
secondFactorRoutes.use("/passkeys/registration/*", requireSession);
secondFactorRoutes.use("/passkeys/:id{[^/]+}", requireSession);

const sessionRoutes = createRouter<SessionEnv>();
sessionRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/2fa",
      tags: ["Auth"],
      summary: "Which second factors are on: the authenticator app, passkeys, recovery codes left",
      security: session,
      responses: {
        200: jsonContent(
          z.object({ totp: z.boolean(), passkeys: z.array(Passkey), recoveryCodesLeft: z.number().int() }),
          "The second factors",
        ),
        ...errorResponses(401),
      },
    }),
    async (c) => c.json(await factorStatus(c.var.db, c.var.session.accountId), 200, noStore),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/2fa/totp",
      tags: ["Auth"],
      summary:
        "Start setting up an authenticator app (sudo): the secret to enter, as text and otpauth:// URL",
      security: session,
      request: sudoBody,
      responses: {
        200: jsonContent(z.object({ secret: z.string(), otpauthUrl: z.string() }), "Enter it in the app"),
        ...errorResponses(400, 401, 409, 415, 429),
      },
    }),
    async (c) => {
      await requireSudoAndRecord(c.env, c.var.session, passwordOf(c), c.req.raw.headers);
      return c.json(await startTotp(c.env, c.var.session), 200, noStore);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/2fa/totp/confirm",
      tags: ["Auth"],
      summary:
        "Prove the app with a code (within the sudo window): it is on, and ten recovery codes are shown once",
      security: session,
      request: jsonBody(z.strictObject({ code: Code }).openapi("TotpConfirm")),
      responses: {
        200: jsonContent(z.object({ recoveryCodes: RecoveryCodes }), "On; keep the recovery codes safe"),
        ...errorResponses(400, 401, 409, 415, 429),
      },
    }),
    async (c) => {
      const { accountId } = c.var.session;
      await requireSudo(c.env, c.var.session, undefined, c.req.raw.headers);
      let recoveryCodes: string[] | null = null;
      await throttledFactorCheck(c.env, accountId, c.req.raw.headers, async () => {
        recoveryCodes = await confirmTotp(c.env, c.var.db, c.var.session, c.req.valid("json").code);
        return recoveryCodes !== null;
      });
      return c.json({ recoveryCodes: recoveryCodes! }, 200, noStore);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/2fa/totp",
      tags: ["Auth"],
      summary: "Remove the authenticator app (sudo); with no passkey left, the recovery codes go too",
      security: session,
      request: sudoBody,
      responses: { 204: { description: "Removed" }, ...errorResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      await requireSudo(c.env, c.var.session, passwordOf(c), c.req.raw.headers);
      if (!(await removeTotpFactor(c.var.db, c.var.session.accountId))) throw notFound("Authenticator app");
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/2fa/recovery-codes",
      tags: ["Auth"],
      summary: "Replace the recovery codes with ten new ones (sudo); the old ones stop working",
      security: session,
      request: sudoBody,
      responses: {
        200: jsonContent(z.object({ recoveryCodes: RecoveryCodes }), "The new codes, shown once"),
        ...errorResponses(400, 401, 409, 429),
      },
    }),
    async (c) => {
      await requireSudo(c.env, c.var.session, passwordOf(c), c.req.raw.headers);
      if (!c.var.session.secondFactor) throw notFound("Second factor");
      return c.json(
        { recoveryCodes: await issueRecoveryCodes(c.var.db, c.var.session.accountId) },
        200,
        noStore,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/sessions",
      tags: ["Auth"],
      summary: "Your active sessions: device (user agent), approximate place when known, created, last seen",
      security: session,
      responses: {
        200: jsonContent(
          z.array(
            z.object({
              id: z.string(),
              current: z.boolean(),
              userAgent: z.string().nullable(),
              place: z.string().nullable(),
              createdAt: IsoDate,
              lastSeenAt: IsoDate,
            }),
          ),
          "Newest use first",
        ),
        ...errorResponses(401),
      },
    }),
    async (c) => c.json(await listSessions(c.var.db, c.var.session), 200, noStore),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/sessions/{id}",
      tags: ["Auth"],
      summary: "End one of your sessions (the current one too: that is a logout)",
      security: session,
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 204: { description: "Ended" }, ...errorResponses(401, 404) },
    }),
    async (c) => {
      const ended = await endSessionById(c.var.db, c.var.session.accountId, c.req.valid("param").id);
      if (!ended) throw notFound("Session");
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/passkeys",
      tags: ["Auth"],
      summary: "Your passkeys",
      security: session,
      responses: { 200: jsonContent(z.array(Passkey), "Newest first"), ...errorResponses(401) },
    }),
    async (c) => c.json(await listPasskeys(c.var.db, c.var.session.accountId), 200, noStore),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/passkeys/registration/options",
      tags: ["Auth"],
      summary: "Start adding a passkey (sudo): options for navigator.credentials.create()",
      security: session,
      request: sudoBody,
      responses: {
        200: jsonContent(WebAuthnOptions, "PublicKeyCredentialCreationOptionsJSON"),
        ...errorResponses(400, 401, 409, 415, 429),
      },
    }),
    async (c) => {
      await requireSudoAndRecord(c.env, c.var.session, passwordOf(c), c.req.raw.headers);
      return c.json(await registrationOptions(c.env, c.var.db, c.var.session, origin(c)), 200, noStore);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/passkeys/registration/verify",
      tags: ["Auth"],
      summary:
        "Finish adding a passkey (within the sudo window); the first second factor comes with recovery codes",
      security: session,
      request: jsonBody(
        z
          .strictObject({ response: Credential, name: z.string().trim().max(60).optional() })
          .openapi("PasskeyRegistration"),
      ),
      responses: {
        201: jsonContent(
          z.object({ passkey: Passkey, recoveryCodes: RecoveryCodes.optional() }),
          "Added; recoveryCodes only when it is the account's first second factor",
        ),
        ...errorResponses(400, 401, 409, 415),
      },
    }),
    async (c) => {
      const { session: s, db } = c.var;
      await requireSudo(c.env, s, undefined, c.req.raw.headers);
      const body = c.req.valid("json");
      const passkey = await registerPasskey(
        db,
        s,
        { response: body.response as unknown as RegistrationResponseJSON, name: body.name },
        origin(c),
      );
      const recoveryCodes = s.secondFactor ? undefined : await issueRecoveryCodes(db, s.accountId);
      return c.json({ passkey, ...(recoveryCodes ? { recoveryCodes } : {}) }, 201, noStore);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/passkeys/{id}",
      tags: ["Auth"],
      summary: "Remove a passkey (sudo); with no second factor left, the recovery codes go too",
      security: session,
      request: { params: z.object({ id: z.string().min(1).max(1024) }), ...sudoBody },
      responses: { 204: { description: "Removed" }, ...errorResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      await requireSudo(c.env, c.var.session, passwordOf(c), c.req.raw.headers);
      await removePasskey(c.var.db, c.var.session.accountId, c.req.valid("param").id);
      await afterFactorRemoved(c.var.db, c.var.session.accountId);
      return c.body(null, 204);
    },
  );

const TypedFactor = z
  .union([z.strictObject({ code: Code }), z.strictObject({ recoveryCode: RecoveryCode })])
  .openapi("SecondFactorCode");

secondFactorRoutes
  .openapi(
    createRoute({
      method: "post",
      path: "/login/2fa",
      tags: ["Auth"],
      summary:
        "Finish a login that answered mfaRequired: a code from the app, or a recovery code (throttled)",
      request: jsonBody(TypedFactor),
      responses: {
        200: jsonContent(z.object({ account: Account }), "Logged in; the session cookie is set"),
        ...errorResponses(400, 401, 415, 429),
      },
    }),
    async (c) => {
      const result = await completeLoginWithCode(c.env, c.req.raw, c.req.valid("json"));
      c.header("Set-Cookie", sessionSetCookie(c.req.url, result.token, result.expiresAt));
      c.header("Set-Cookie", clearPendingLoginCookie(c.req.url), { append: true });
      return c.json({ account: result.account }, 200, noStore);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/passkeys/authentication/options",
      tags: ["Auth"],
      summary:
        "Options for navigator.credentials.get(): for a login waiting for its second factor, or (signed in) to re-authenticate",
      responses: {
        200: jsonContent(WebAuthnOptions, "PublicKeyCredentialRequestOptionsJSON"),
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const s = c.var.session;
      const options = s
        ? await authenticationOptions(
            c.var.db,
            {
              idHash: sessionChallengeId("reauth", s.sessionHash),
              accountId: s.accountId,
              purpose: "reauth",
            },
            origin(c),
          )
        : await pendingLoginPasskeyOptions(c.env, c.req.raw, origin(c));
      return c.json(options, 200, noStore);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/passkeys/authentication/verify",
      tags: ["Auth"],
      summary:
        "Prove a passkey: finishes a pending login (session cookie set), or re-authenticates this session (sudo)",
      request: jsonBody(z.strictObject({ response: Credential }).openapi("PasskeyAuthentication")),
      responses: {
        200: jsonContent(
          z.object({ account: Account.optional(), reauthenticated: z.boolean().optional() }),
          "Logged in, or re-authenticated",
        ),
        ...errorResponses(400, 401, 415, 429),
      },
    }),
    async (c) => {
      const response = c.req.valid("json").response as unknown as AuthenticationResponseJSON;
      const s = c.var.session;
      if (s) {
        await throttledFactorCheck(
          c.env,
          s.accountId,
          c.req.raw.headers,
          () =>
            verifyPasskey(
              c.var.db,
              s.accountId,
              sessionChallengeId("reauth", s.sessionHash),
              response,
              origin(c),
            ),
          "response",
        );
        await recordReauth(c.var.db, s.sessionHash);
        return c.json({ reauthenticated: true }, 200, noStore);
      }
      const result = await completeLoginWithPasskey(c.env, c.req.raw, response, origin(c));
      c.header("Set-Cookie", sessionSetCookie(c.req.url, result.token, result.expiresAt));
      c.header("Set-Cookie", clearPendingLoginCookie(c.req.url), { append: true });
      return c.json({ account: result.account }, 200, noStore);
    },
  );
secondFactorRoutes.route("/", sessionRoutes);
