// Every dashboard action answers a body that is not a form (JSON, text, none) with 415, and a form it cannot
// read (a broken multipart body) with 400: never a 5xx and never an error log line (console.error fails a test).
import { describe, expect, it } from "vitest";
import * as admin from "../../../app/routes/admin";
import * as adminCatalogue from "../../../app/routes/admin/catalogue";
import * as adminIncidents from "../../../app/routes/admin/incidents";
import * as adminRecords from "../../../app/routes/admin/records";
import * as adminRequest from "../../../app/routes/admin/request";
import * as confirm from "../../../app/routes/confirm";
import * as account from "../../../app/routes/dashboard/account";
import * as billing from "../../../app/routes/dashboard/billing";
import * as keys from "../../../app/routes/dashboard/keys";
import * as playground from "../../../app/routes/dashboard/playground";
import * as playgroundStream from "../../../app/routes/dashboard/playground-stream";
import * as privacy from "../../../app/routes/dashboard/privacy";
import * as providerKeys from "../../../app/routes/dashboard/provider-keys";
import * as settings from "../../../app/routes/dashboard/settings";
import * as twoFactor from "../../../app/routes/dashboard/two-factor";
import * as whatsapp from "../../../app/routes/dashboard/whatsapp";
import * as whatsappInbox from "../../../app/routes/dashboard/whatsapp-inbox";
import * as dpa from "../../../app/routes/legal-dpa";
import * as login from "../../../app/routes/login";
import * as loginSecondFactor from "../../../app/routes/login-2fa";
import * as verify from "../../../app/routes/privacy-verify";
import * as reset from "../../../app/routes/reset-password";
import * as signup from "../../../app/routes/signup";
import { newVerifiedUser, ORIGIN, operatorSession } from "../support/helpers";
import { args } from "../support/route-calls";

const BODIES: [name: string, headers: Record<string, string>, body: string | undefined, status: number][] = [
  [
    "JSON",
    { "content-type": "application/json" },
    JSON.stringify({ email: "a@example.com", intent: "save" }),
    415,
  ],
  ["text", { "content-type": "text/plain" }, "email=a@example.com", 415],
  ["empty", {}, undefined, 415],
  [
    "broken multipart",
    { "content-type": "multipart/form-data; boundary=cut" },
    '--cut\r\nContent-Disposition: form-data; name="intent"\r\n\r\nsave',
    400,
  ],
  ["multipart without a boundary", { "content-type": "multipart/form-data" }, "intent=save", 400],
];

type Action = (a: unknown) => Promise<unknown>;
/** Every route module with an action but /logout and /dashboard/verify-email, which read no body. */
const ACTIONS: [path: string, action: Action, who: "anyone" | "user" | "operator"][] = [
  ["/login", login.action as Action, "anyone"],
  ["/login/2fa", loginSecondFactor.action as Action, "anyone"],
  ["/legal/dpa", dpa.action as Action, "user"],
  ["/dashboard/provider-keys", providerKeys.action as Action, "user"],
  ["/dashboard/account/two-factor", twoFactor.action as Action, "user"],
  ["/admin/catalogue", adminCatalogue.action as Action, "operator"],
  ["/admin/incidents", adminIncidents.action as Action, "operator"],
  ["/admin/records", adminRecords.action as Action, "operator"],
  ["/admin/requests/:id", adminRequest.action as Action, "operator"],
  ["/signup", signup.action as Action, "anyone"],
  ["/reset-password", reset.action as Action, "anyone"],
  ["/privacy/verify", verify.action as Action, "anyone"],
  ["/confirm", confirm.action as Action, "anyone"],
  ["/dashboard/keys", keys.action as Action, "user"],
  ["/dashboard/playground", playground.action as Action, "user"],
  ["/dashboard/playground/stream", playgroundStream.action as Action, "user"],
  ["/dashboard/settings", settings.action as Action, "user"],
  ["/dashboard/account", account.action as Action, "user"],
  ["/dashboard/privacy", privacy.action as Action, "user"],
  ["/dashboard/whatsapp", whatsapp.action as Action, "user"],
  ["/dashboard/whatsapp/inbox", whatsappInbox.action as Action, "user"],
  ["/dashboard/billing", billing.action as Action, "user"],
  ["/admin", admin.action as Action, "operator"],
];

/** The status React Router would answer with: a returned or thrown Response, or data() with its init. */
async function statusOf(run: () => Promise<unknown>): Promise<number> {
  let result: unknown;
  try {
    result = await run();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    return 500;
  }
  if (result instanceof Response) return result.status;
  const init = (result as { init?: { status?: number } } | null)?.init;
  return init?.status ?? 200;
}

describe("dashboard actions given a body that is not a form", () => {
  it("answer 415 (not a form) or 400 (a broken form), never a 5xx", async () => {
    const user = await newVerifiedUser();
    const operator = await operatorSession();
    for (const [path, action, who] of ACTIONS) {
      const cookie = who === "user" ? user.cookie : who === "operator" ? operator.cookie : undefined;
      for (const [name, headers, body, expected] of BODIES) {
        const request = new Request(`${ORIGIN}${path}`, {
          method: "POST",
          headers: { origin: ORIGIN, ...headers, ...(cookie ? { cookie } : {}) },
          ...(body === undefined ? {} : { body }),
        });
        // A well-formed id for the routes that take one (/admin/requests/:id): the body is read before it is looked up.
        const params = { id: crypto.randomUUID() };
        expect(await statusOf(() => action(args(request, params))), `${path} with a ${name} body`).toBe(
          expected,
        );
      }
    }
  });
});
