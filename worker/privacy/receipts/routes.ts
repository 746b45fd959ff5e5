// Public receipt routes: the JWKS at /.well-known/privacy-receipt-keys.json (current and previous keys)
// and POST /api/privacy/receipts/verify (valid or not, and why) for receipts and export manifests.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, errorResponses, jsonBody, jsonContent } from "../../openapi";
import { checkReceipt } from "../receipt";
import { readableReceipt } from "./readable";
import { publishedKeys } from "./signing-keys";

const Jwk = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string(),
    kid: z.string().openapi({ description: "RFC 7638 thumbprint of the key" }),
    use: z.literal("sig"),
    alg: z.literal("EdDSA"),
  })
  .openapi("ReceiptKey");

const Jwks = z.object({ keys: z.array(Jwk) }).openapi("ReceiptKeySet");

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

const ReceiptResult = z
  .object({
    valid: z.boolean(),
    reason: z.string().openapi({ description: "Why it is valid or not, in plain words" }),
    format: z.enum(["jws", "hmac", "unknown"]).openapi({
      description: "jws: Ed25519 compact JWS (anyone can check); hmac: an earlier receipt only we can check",
    }),
    kid: z.string().nullable(),
    signed: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "What was signed, when valid" }),
    readable: z
      .object({
        requestId: z.string(),
        requestedAt: z.string(),
        completedAt: z.string(),
        erased: z.array(z.object({ label: z.string(), records: z.number(), location: z.string() })),
        kept: z.array(z.object({ what: z.string(), why: z.string(), until: z.string() })),
        backups: z.string(),
        kid: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: "A valid deletion receipt in plain language" }),
  })
  .openapi("ReceiptCheck");

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
    const isReceipt = check.valid && String(check.signed?.kind ?? "").startsWith("botmara-deletion-receipt/");
    return c.json({ ...check, readable: isReceipt ? readableReceipt(check.signed!) : null }, 200);
  },
);
