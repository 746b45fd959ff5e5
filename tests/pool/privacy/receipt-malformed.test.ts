// A receipt whose signature is not an Ed25519 signature's 64 bytes (cut, padded, empty, not base64url) is
// "not valid, because …" on the API and on /privacy/verify: never a 5xx (WebCrypto throws on a wrong length).
import { describe, expect, it } from "vitest";
import * as verifyPage from "../../../app/routes/privacy-verify";
import { call } from "../support/helpers";
import { args, post } from "../support/route-calls";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function forgedWithSignature(signature: string): Promise<string> {
  const { keys } = (await (await call("/.well-known/privacy-receipt-keys.json")).json()) as {
    keys: { kid: string }[];
  };
  const header = b64url({ alg: "EdDSA", typ: "JWT", kid: keys[0]!.kid });
  const payload = b64url({ kind: "botmara-deletion-receipt/2", requestId: "r", erased: [] });
  return `${header}.${payload}.${signature}`;
}

const SIGNATURES: [string, string][] = [
  ["cut to 10 bytes", Buffer.alloc(10, 7).toString("base64url")],
  ["padded to 65 bytes", Buffer.alloc(65, 7).toString("base64url")],
  ["empty", ""],
  ["not base64url", "%%%%"],
  ["a lone base64 character", "A"],
];

describe("malformed receipt signatures", () => {
  it.each(SIGNATURES)("a signature %s is not valid, with a reason (API)", async (_, signature) => {
    const res = await call("/api/privacy/receipts/verify", {
      body: { receipt: await forgedWithSignature(signature) },
    });
    expect(res.status).toBe(200);
    const check = (await res.json()) as { valid: boolean; reason: string };
    expect(check.valid).toBe(false);
    expect(check.reason.length).toBeGreaterThan(10);
  });

  it.each(SIGNATURES)(
    "a signature %s is not valid, with a reason (/privacy/verify)",
    async (_, signature) => {
      const answer = (await verifyPage.action(
        args(post("/privacy/verify", { receipt: await forgedWithSignature(signature) })),
      )) as { check?: { valid: boolean; reason: string } };
      expect(answer.check?.valid).toBe(false);
      expect(answer.check?.reason.length).toBeGreaterThan(10);
    },
  );

  it("the signature's length is named as the reason", async () => {
    const receipt = await forgedWithSignature(Buffer.alloc(10, 7).toString("base64url"));
    const check = (await (await call("/api/privacy/receipts/verify", { body: { receipt } })).json()) as {
      reason: string;
    };
    expect(check.reason).toMatch(/64 bytes/);
  });
});
