// Signing and checking receipts in Node (ADR 052), with the keys from an env as the Worker gets them: a receipt
// signed here verifies as a JWS string, as its JSON and as the object; an altered field, another key, a truncated
// or nested input, and an old HMAC receipt are each answered with why.
import { describe, expect, it } from "vitest";
import { hmacHex } from "#worker/crypto/encoding";
import { derive } from "#worker/crypto/master-key";
import {
  canonical,
  checkReceipt,
  KEYS_PATH,
  type ReceiptBody,
  signDocument,
} from "#worker/privacy/receipts/receipt";

const env = { MASTER_KEY: "dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmctISE=" } as unknown as Env;
const other = { MASTER_KEY: "b3RoZXItbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nISE=" } as unknown as Env;

const body = {
  kind: "botmara-deletion-receipt/2",
  requestId: "req_1",
  subject: "subj_1",
  retainedToken: "tok_1",
  requestedAt: "2026-12-01T00:00:00.000Z",
  completedAt: "2026-12-02T00:00:00.000Z",
  issuedAt: "2026-12-02T00:00:01.000Z",
  erased: [{ holder: "usage", location: "D1", records: 3 }],
  retained: [],
  backups: "Backups roll off within 30 days.",
} as const;

const sign = (e = env) =>
  signDocument<ReceiptBody>(
    e,
    "https://app.example",
    "Botmara",
    body as unknown as Omit<ReceiptBody, "kid" | "keys" | "issuer">,
  );

describe("receipts signed and checked", () => {
  it("signs the readable fields with the published key's id and where its keys are", async () => {
    const receipt = await sign();
    expect(receipt).toMatchObject({ ...body, issuer: "Botmara", keys: `https://app.example${KEYS_PATH}` });
    expect(receipt.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(receipt.jws.split(".")).toHaveLength(3);
  });

  it("a receipt verifies as its JWS, as its JSON text and as the object, naming the key", async () => {
    const receipt = await sign();
    const { jws, ...readable } = receipt;
    for (const input of [jws, ` ${jws} `.trim(), JSON.stringify(receipt), receipt]) {
      const check = await checkReceipt(env, input);
      expect(check).toMatchObject({ valid: true, format: "jws", kid: receipt.kid, signed: readable });
      expect(check.reason).toBe(
        `Valid: signed by this service's key ${receipt.kid}, published at ${KEYS_PATH}.`,
      );
    }
  });

  it("names the readable fields that differ from what was signed", async () => {
    const receipt = await sign();
    const check = await checkReceipt(env, { ...receipt, requestId: "req_2", subject: "subj_2" });
    expect(check).toMatchObject({ valid: false, format: "jws", kid: receipt.kid, signed: null });
    expect(check.reason).toBe(
      "The signature holds, but the readable fields requestId, subject differ from what was signed.",
    );
  });

  it("refuses a receipt signed under another service's key", async () => {
    const receipt = await sign(other);
    const check = await checkReceipt(env, receipt.jws);
    expect(check).toMatchObject({ valid: false, format: "jws", signed: null });
  });

  it("answers inputs that are no receipt, each with why", async () => {
    const unknown = { valid: false, format: "unknown", kid: null, signed: null };
    expect(await checkReceipt(env, "not.a")).toEqual({
      ...unknown,
      reason: "This is neither a compact JWS (three parts separated by dots) nor receipt JSON.",
    });
    expect(await checkReceipt(env, "{ not json")).toEqual({
      ...unknown,
      reason: "This is neither a compact JWS nor valid JSON.",
    });
    expect(await checkReceipt(env, { hello: "world" })).toEqual({
      ...unknown,
      reason: "Paste the compact JWS (three parts separated by dots) or the whole receipt JSON.",
    });
    expect(await checkReceipt(env, 42)).toMatchObject(unknown);
    let deep: unknown = "x";
    for (let i = 0; i < 200; i++) deep = [deep];
    const nested = await checkReceipt(env, deep);
    expect(nested).toMatchObject(unknown);
    expect(nested.reason).toMatch(/^This nests JSON deeper than \d+ levels; no receipt does\.$/);
  });

  describe("an earlier HMAC receipt (kind /1)", () => {
    const old = {
      kind: "botmara-deletion-receipt/1",
      requestId: "req_old",
      completedAt: "2026-01-01T00:00:00Z",
    };
    const hmacSigned = async (e: Env) => {
      const [key] = await derive(e, "deletion-receipt");
      return { ...old, signature: await hmacHex(key!, canonical(old)) };
    };

    it("verifies under this service's key, and says only it can check these", async () => {
      const check = await checkReceipt(env, await hmacSigned(env));
      expect(check).toEqual({
        valid: true,
        reason:
          "Valid: an earlier receipt signed with this service's own HMAC key (only we can check these).",
        format: "hmac",
        kid: null,
        signed: old,
      });
    });

    it("refuses one altered, one signed under another key, and one without a signature string", async () => {
      const fail = { valid: false, format: "hmac", kid: null, signed: null };
      const mismatch =
        "The HMAC signature does not match: the receipt was altered, or not issued by this service.";
      expect(await checkReceipt(env, { ...(await hmacSigned(env)), requestId: "req_x" })).toEqual({
        ...fail,
        reason: mismatch,
      });
      expect(await checkReceipt(env, await hmacSigned(other))).toEqual({ ...fail, reason: mismatch });
      expect(await checkReceipt(env, { ...old, signature: 7 })).toEqual({
        ...fail,
        reason: "The receipt has no signature.",
      });
    });
  });
});
