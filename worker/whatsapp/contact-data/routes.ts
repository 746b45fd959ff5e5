// /api/whatsapp/contacts: a business answers its contacts' data-rights requests — look up, export and erase what
// is held for one contact. The number travels only in the request body (never a URL, never logged).
import { createRoute } from "@hono/zod-openapi";
import { sessionRouter } from "../../accounts/middleware";
import { requireSudo } from "../../accounts/sudo";
import { errorResponses, jsonBody, jsonContent } from "../../openapi";
import { eraseContactData, exportContact, lookUpContact } from "./service";
import { ContactData, ContactEraseInput, ContactExport, ContactInput, ContactReceipt } from "./views";

export const contactDataRoutes = sessionRouter();
contactDataRoutes
  .openapi(
    createRoute({
      method: "post",
      path: "/lookup",
      tags: ["WhatsApp"],
      summary:
        "What is held for one WhatsApp contact (found by the keyed hash of the number): counts, metadata, and texts only while content logging is on",
      security: [{ session: [] }],
      request: jsonBody(ContactInput),
      responses: { 200: jsonContent(ContactData, "What is held"), ...errorResponses(400, 401, 415) },
    }),
    async (c) => {
      const { number } = c.req.valid("json");
      const held = await lookUpContact(c.env, c.var.db, { accountId: c.var.session.accountId, waId: number });
      return c.json(held, 200, { "Cache-Control": "no-store" });
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/export",
      tags: ["WhatsApp"],
      summary:
        "Everything held for one WhatsApp contact as a JSON download (logged copies decrypted), to hand to the contact",
      security: [{ session: [] }],
      request: jsonBody(ContactInput),
      responses: { 200: jsonContent(ContactExport, "The export"), ...errorResponses(400, 401, 415) },
    }),
    async (c) => {
      const { number } = c.req.valid("json");
      const doc = await exportContact(c.env, c.var.db, { accountId: c.var.session.accountId, waId: number });
      return c.json(doc, 200, {
        "Cache-Control": "no-store",
        "Content-Disposition": `attachment; filename="whatsapp-contact-${doc.label}.json"`,
      });
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/erase",
      tags: ["WhatsApp"],
      summary:
        "Erase everything held for one WhatsApp contact (every store, logged copies included); answers a signed receipt",
      security: [{ session: [] }],
      request: jsonBody(ContactEraseInput),
      responses: {
        200: jsonContent(ContactReceipt, "The signed receipt (verify at POST /api/privacy/receipts/verify)"),
        ...errorResponses(400, 401, 415, 429),
      },
    }),
    async (c) => {
      const { number, password } = c.req.valid("json");
      const session = c.var.session;
      await requireSudo(c.env, session, password, c.req.raw.headers);
      const receipt = await eraseContactData(c.env, c.var.db, {
        accountId: session.accountId,
        waId: number,
        origin: new URL(c.req.url).origin,
      });
      return c.json(receipt, 200, { "Cache-Control": "no-store" });
    },
  );
