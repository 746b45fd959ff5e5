// /api/auth/* and /api/account.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { createRouter, errorResponses, IsoDate, jsonBody, jsonContent } from "../openapi";
import { rectify } from "../privacy/rectification";
import { requireSession } from "./middleware";
import { getAccount, logIn, signUp } from "./service";
import {
  destroySession,
  lookupSession,
  readSessionCookie,
  sessionClearCookie,
  sessionSetCookie,
} from "./sessions";

const Email = z.string().trim().pipe(z.email().max(254)).openapi({ example: "ada@example.com" });
const Password = z.string().min(10, "Use at least 10 characters.").max(256);

const Credentials = z.strictObject({ email: Email, password: Password }).openapi("Credentials");
const SignUp = z
  .strictObject({ email: Email, password: Password, name: z.string().trim().min(1).max(100).optional() })
  .openapi("SignUp");
const Account = z
  .object({ id: z.string(), email: z.string(), name: z.string().nullable(), createdAt: IsoDate })
  .openapi("Account");
const AccountPatch = z
  .strictObject({ email: Email.optional(), name: z.string().trim().min(1).max(100).nullable().optional() })
  .openapi("AccountPatch");

async function endCurrentSession(c: Context<AppEnv>) {
  const token = readSessionCookie(c.req.url, c.req.header("cookie") ?? null);
  const current = token ? await lookupSession(c.var.db, token) : undefined;
  if (current) await destroySession(c.var.db, current.sessionHash);
}

export const authRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/signup",
      tags: ["Auth"],
      summary: "Create an account and start a session",
      request: jsonBody(SignUp),
      responses: {
        201: jsonContent(z.object({ account: Account }), "Created; the session cookie is set"),
        ...errorResponses(400, 409, 413, 415, 429),
      },
    }),
    async (c) => {
      const { account, token, expiresAt } = await signUp(c.var.db, c.req.valid("json"), c.req.raw.headers);
      c.header("Set-Cookie", sessionSetCookie(c.req.url, token, expiresAt));
      return c.json({ account }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/login",
      tags: ["Auth"],
      summary: "Start a session",
      request: jsonBody(Credentials),
      responses: {
        200: jsonContent(z.object({ account: Account }), "Logged in; the session cookie is set"),
        ...errorResponses(400, 401, 413, 415, 429),
      },
    }),
    async (c) => {
      const result = await logIn(c.var.db, c.req.valid("json"), c.req.raw.headers);
      await endCurrentSession(c); // rotate: never keep a pre-login session id
      c.header("Set-Cookie", sessionSetCookie(c.req.url, result.token, result.expiresAt));
      return c.json({ account: result.account }, 200);
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
      await endCurrentSession(c);
      c.header("Set-Cookie", sessionClearCookie(c.req.url));
      return c.body(null, 204);
    },
  );

export const accountRoutes = createRouter();
accountRoutes.use("*", requireSession);
accountRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["Account"],
      summary: "Your profile",
      responses: { 200: jsonContent(Account, "The account"), ...errorResponses(401) },
    }),
    async (c) => c.json(await getAccount(c.var.db, c.var.session!.accountId), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/",
      tags: ["Account"],
      summary: "Correct your email or name",
      request: jsonBody(AccountPatch),
      responses: {
        200: jsonContent(
          Account.extend({ pendingEmail: z.string().nullable() }),
          "The account; a new email waits in pendingEmail until confirmed by the link sent to it",
        ),
        ...errorResponses(400, 401, 409, 415),
      },
    }),
    // A new email takes effect only once a link sent to it is used (see worker/privacy/rectification.ts).
    async (c) =>
      c.json(
        await rectify(c.env, c.var.session!.accountId, c.req.valid("json"), new URL(c.req.url).origin),
        200,
      ),
  );
