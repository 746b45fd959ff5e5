// Public receipt routes: the JWKS at /.well-known/privacy-receipt-keys.json (current and previous keys)
// and POST /api/privacy/receipts/verify (valid or not, and why) for receipts and export manifests.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, errorResponses, jsonBody, jsonContent } from "../../openapi";
import { CONTACT_RECEIPT_KIND } from "../../whatsapp/contact-data/erase";
import { readableReceipt } from "./readable";
import { checkReceipt } from "./receipt";
import { publishedKeys } from "./signing-keys";
import { Jwks, ReceiptResult } from "./views";

export const receiptKeyRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/privacy-receipt-keys.json",
    tags: ["Privacy"],
    summary:
      "The public keys (JWKS, Ed25519) that verify deletion receipts and export manifests, old keys included",
    responses: { 200: jsonContent(Jwks, "The key set") },
  }),
  async (c) => {
    c.header("cache-control", "public, max-age=300");
    c.header("access-control-allow-origin", "*");
    return c.json({ keys: await publishedKeys(c.env) }, 200);
  },
);

const ReceiptInput = z
  .strictObject({
    receipt: z
      .union([z.string().max(200_000), z.record(z.string(), z.unknown())])
      .openapi({ description: "The compact JWS, or the whole receipt JSON (as text or as an object)" }),
  })
  .openapi("ReceiptCheckInput");

export const receiptVerifyRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/receipts/verify",
    tags: ["Privacy"],
    summary: "Check that a deletion receipt or export manifest was issued by this service and not altered",
    request: jsonBody(ReceiptInput),
    responses: {
      200: jsonContent(ReceiptResult, "Whether the signature holds, and why"),
      ...errorResponses(400, 415),
    },
  }),
  async (c) => {
    const check = await checkReceipt(c.env, c.req.valid("json").receipt);
    const kind = String(check.signed?.kind ?? "");
    const isReceipt =
      check.valid && (kind.startsWith("botmara-deletion-receipt/") || kind === CONTACT_RECEIPT_KIND);
    return c.json({ ...check, readable: isReceipt ? readableReceipt(check.signed!) : null }, 200);
  },
);
