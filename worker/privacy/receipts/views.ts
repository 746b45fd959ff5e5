// The receipt routes' shapes, declared once: the zod schemas document the JWKS and the verify route, and
// the types the signing keys, the verifier and the readable view return are derived from them.
import { z } from "@hono/zod-openapi";

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

export const Jwks = z.object({ keys: z.array(Jwk) }).openapi("ReceiptKeySet");

const Readable = z.object({
  requestId: z.string(),
  requestedAt: z.string(),
  completedAt: z.string(),
  erased: z.array(z.object({ label: z.string(), records: z.number(), location: z.string() })),
  kept: z.array(z.object({ what: z.string(), why: z.string(), until: z.string() })),
  backups: z.string(),
  kid: z.string().nullable(),
});

export const ReceiptResult = z
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
    readable: Readable.nullable().openapi({ description: "A valid deletion receipt in plain language" }),
  })
  .openapi("ReceiptCheck");

/** One entry of the published JWKS. */
export type PublicJwk = z.infer<typeof Jwk>;
/** A deletion receipt's content in plain language. */
export type ReadableReceipt = z.infer<typeof Readable>;
/** Whether a signature holds, and why; `signed` is the signed content when it does. */
export type ReceiptCheck = Omit<z.infer<typeof ReceiptResult>, "readable">;
