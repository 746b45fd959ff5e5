// Publicly verifiable receipts: a completed deletion's receipt checks out with nothing but the JWKS and
// Node's own crypto.verify; altered receipts, other keys and rotations behave as published.

import { env } from "cloudflare:workers";
import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "#worker/crypto/encoding";
import { checkReceipt } from "#worker/privacy/receipts/receipt";
import { publishedKeys, signingKey } from "#worker/privacy/receipts/signing-keys";
import { call, newUser, PASSWORD } from "../support/helpers";
import { settle } from "../support/privacy-drive";
import { seedAccount } from "../support/privacy-seed";

type Jwk = { kty: string; crv: string; x: string; kid: string; use: string; alg: string };

/** Offline verification as the README shows it: only node:crypto and the published key set. */
function nodeVerify(jws: string, keys: Jwk[]): boolean {
  const [h, p, s] = jws.split(".") as [string, string, string];
  const { kid } = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as { kid: string };
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) return false;
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: "jwk" });
  return verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"));
}

async function completedDeletion() {
  const user = await newUser();
  const res = await call("/api/privacy/requests", {
    body: { type: "deletion", password: PASSWORD },
    cookie: user.cookie,
  });
  const { id } = (await res.json()) as { id: string };
  expect(await settle(user.id, id)).toBe("completed");
  const row = await env.DB.prepare("SELECT receipt FROM privacy_requests WHERE id = ?")
    .bind(id)
    .first<{ receipt: string }>();
  const notice = await env.DB.prepare(
    "SELECT text FROM notices WHERE \"to\" = ? AND kind = 'deletion_completed'",
  )
    .bind(user.email)
    .first<{ text: string }>();
  return { user, requestId: id, receipt: JSON.parse(row!.receipt) as Record<string, unknown>, notice };
}

const jwks = async () => {
  const res = await call("/.well-known/privacy-receipt-keys.json");
  expect(res.status).toBe(200);
  return (await res.json()) as { keys: Jwk[] };
};

const verifyApi = async (receipt: unknown) =>
  (await (await call("/api/privacy/receipts/verify", { body: { receipt } })).json()) as {
    valid: boolean;
    reason: string;
    format: string;
    readable: { erased: { label: string }[]; kept: { why: string; until: string }[] } | null;
  };

/** Replaces the JWS payload, keeping header and signature: what a forger without the key can do. */
function tamper(jws: string, change: (payload: Record<string, unknown>) => void): string {
  const [h, p, s] = jws.split(".") as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  change(payload);
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
}

/** A JWS over the same kind of payload, signed by a freshly generated key that claims a given kid. */
async function signWithOtherKey(payload: unknown, kid: string): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const enc = (v: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(v)));
  const input = `${enc({ alg: "EdDSA", kid, typ: "botmara-deletion-receipt/2" })}.${enc(payload)}`;
  const sig = await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, new TextEncoder().encode(input));
  return `${input}.${toBase64Url(new Uint8Array(sig))}`;
}

describe("verifiable deletion receipts", () => {
  it("verifies with Node's crypto.verify and the JWKS alone, and names kid, request, subject, erased and kept", async () => {
    const { requestId, receipt, notice } = await completedDeletion();
    const { keys } = await jwks();
    expect(keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", use: "sig", alg: "EdDSA" });
    const jws = receipt.jws as string;
    expect(nodeVerify(jws, keys)).toBe(true);

    const signed = JSON.parse(Buffer.from(jws.split(".")[1]!, "base64url").toString("utf8"));
    expect(signed).toMatchObject({
      kind: "botmara-deletion-receipt/2",
      kid: keys[0]!.kid,
      requestId,
      keys: "http://localhost/.well-known/privacy-receipt-keys.json",
    });
    expect(signed.subject).toMatch(/^[0-9a-f]{32}$/);
    expect(signed.erased).toEqual(
      expect.arrayContaining([expect.objectContaining({ holder: "profile", records: 1 })]),
    );
    expect(signed.retained[0]).toEqual(
      expect.objectContaining({ legalBasis: expect.stringContaining("GDPR"), untilDate: expect.any(String) }),
    );
    // The readable fields stored beside the JWS are exactly what was signed.
    const { jws: _jws, ...readable } = receipt;
    expect(readable).toEqual(signed);

    // The completion notice carries the signed receipt itself and its plain-language version.
    expect(notice!.text).toContain(jws);
    expect(notice!.text).toContain("What we erased:");
    expect(notice!.text).toContain("What we keep, why, and until when:");
    expect(notice!.text).toContain("/privacy/verify");

    // The endpoint agrees, for the JWS alone and for the whole receipt, and reads it out.
    const byJws = await verifyApi(jws);
    expect(byJws).toMatchObject({ valid: true, format: "jws" });
    expect(byJws.readable!.erased.length).toBeGreaterThan(5);
    expect(byJws.readable!.kept[0]!.why).toContain("GDPR");
    expect(await verifyApi(receipt)).toMatchObject({ valid: true });
    expect(await verifyApi(JSON.stringify(receipt))).toMatchObject({ valid: true });
  });

  it("rejects a tampered receipt and one signed by another key", async () => {
    const { receipt } = await completedDeletion();
    const { keys } = await jwks();
    const jws = receipt.jws as string;

    const altered = tamper(jws, (p) => {
      p.retained = [];
    });
    expect(nodeVerify(altered, keys)).toBe(false);
    const tampered = await verifyApi(altered);
    expect(tampered.valid).toBe(false);
    expect(tampered.reason).toContain("altered");

    // Readable fields that differ from the signed ones are refused even though the JWS holds.
    const edited = await verifyApi({ ...receipt, completedAt: "2020-01-01T00:00:00.000Z" });
    expect(edited.valid).toBe(false);
    expect(edited.reason).toContain("completedAt");

    const payload = JSON.parse(Buffer.from(jws.split(".")[1]!, "base64url").toString("utf8"));
    const sameKid = await signWithOtherKey(payload, keys[0]!.kid);
    expect(nodeVerify(sameKid, keys)).toBe(false);
    expect(await verifyApi(sameKid)).toMatchObject({ valid: false, format: "jws" });
    const ownKid = await signWithOtherKey(payload, "someone-elses-key");
    const foreign = await verifyApi(ownKid);
    expect(foreign.valid).toBe(false);
    expect(foreign.reason).toContain("not one of this service's published receipt keys");

    expect(await verifyApi("not a receipt")).toMatchObject({ valid: false, format: "unknown" });
  });

  it("keeps a receipt valid after the signing key rotates, the old key still published", async () => {
    const { receipt } = await completedDeletion();
    const old = await signingKey(env);
    const seed = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
    // The operator's rotation: a new secret, and the old key's public half kept published.
    const rotated = { ...env, RECEIPT_SIGNING_KEY: seed, RECEIPT_VERIFY_KEYS_PREVIOUS: old.jwk.x };
    const current = await signingKey(rotated);
    expect(current.kid).not.toBe(old.kid);
    const published = await publishedKeys(rotated);
    expect(published.map((k) => k.kid)).toEqual([current.kid, old.kid]);
    expect(nodeVerify(receipt.jws as string, published as Jwk[])).toBe(true);
    expect(await checkReceipt(rotated as Env, receipt)).toMatchObject({ valid: true, kid: old.kid });
    // Without the previous key published, the old receipt can no longer be attributed to us.
    const forgotten = { ...env, RECEIPT_SIGNING_KEY: seed };
    expect(await checkReceipt(forgotten as Env, receipt)).toMatchObject({ valid: false });
  });

  it("still verifies the earlier HMAC receipts through the same endpoint", async () => {
    const { hmacHex } = await import("#worker/crypto/encoding");
    const { derive } = await import("#worker/crypto/master-key");
    const { canonical } = await import("#worker/privacy/receipts/receipt");
    const body = {
      kind: "botmara-deletion-receipt/1",
      requestId: "r-old",
      subject: "s",
      erased: [],
      retained: [],
    };
    const [key] = await derive(env, "deletion-receipt");
    const signature = await hmacHex(key!, canonical(body));
    expect(await verifyApi({ ...body, signature })).toMatchObject({ valid: true, format: "hmac" });
    expect(await verifyApi({ ...body, requestId: "r-other", signature })).toMatchObject({
      valid: false,
      format: "hmac",
    });
  });

  it("an HMAC receipt keeps verifying across a master-key rotation, through the one key module", async () => {
    const { hmacHex } = await import("#worker/crypto/encoding");
    const { derive } = await import("#worker/crypto/master-key");
    const { canonical } = await import("#worker/privacy/receipts/receipt");
    const body = { kind: "botmara-deletion-receipt/1", requestId: "r-rotated", subject: "s", erased: [] };
    // Issued under the key that is now the previous one.
    const [old] = await derive(env, "deletion-receipt");
    const signature = await hmacHex(old!, canonical(body));
    const rotated = {
      ...env,
      MASTER_KEY: Buffer.alloc(32, 3).toString("base64"),
      MASTER_KEY_PREVIOUS: env.MASTER_KEY,
    } as Env;
    expect(await checkReceipt(rotated, { ...body, signature })).toMatchObject({
      valid: true,
      format: "hmac",
    });
    // Once the previous key is dropped, only a receipt under the new key verifies.
    const dropped = { ...env, MASTER_KEY: Buffer.alloc(32, 3).toString("base64") } as Env;
    expect(await checkReceipt(dropped, { ...body, signature })).toMatchObject({
      valid: false,
      format: "hmac",
    });
    const [current] = await derive(dropped, "deletion-receipt");
    const fresh = await hmacHex(current!, canonical(body));
    expect(await checkReceipt(dropped, { ...body, signature: fresh })).toMatchObject({ valid: true });
  });

  it("signs the export's manifest; the export reads in user units, pretty-printed, with an HTML summary", async () => {
    const user = await seedAccount();
    const res = await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie });
    const { id } = (await res.json()) as { id: string };
    expect(await settle(user.id, id)).toBe("completed");
    const text = await (await call(`/api/privacy/requests/${id}/export`, { cookie: user.cookie })).text();
    expect(text.split("\n").length).toBeGreaterThan(50);
    const doc = JSON.parse(text) as {
      format: string;
      manifest: { jws: string; counts: Record<string, number> };
      data: Record<string, Record<string, unknown>[]>;
    };
    expect(doc.format).toBe("botmara-export/2");
    const usage = doc.data.usage![0]!;
    expect(usage).toMatchObject({ cost_usd: 0.00003, streamed: false, estimated: false });
    expect(usage).not.toHaveProperty("cost_micros");
    expect(usage.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const invoice = doc.data.billing!.find((r) => r.table === "billing_invoices")!;
    expect(invoice).toMatchObject({ amount_due: 5, currency: "usd" });
    const ledger = doc.data.billing!.find((r) => r.table === "credit_ledger")!;
    expect(ledger).toMatchObject({ amount_usd: 5 });
    expect(doc.data.settings![0]).toMatchObject({ training_consent: true, content_logging: false });
    expect(doc.data.consent_history![0]).toMatchObject({ new_value: true, old_value: false });
    // The manifest's signature checks out with nothing but the JWKS, and names this export's counts.
    const { keys } = await jwks();
    expect(nodeVerify(doc.manifest.jws, keys)).toBe(true);
    const signed = JSON.parse(Buffer.from(doc.manifest.jws.split(".")[1]!, "base64url").toString("utf8"));
    expect(signed).toMatchObject({
      kind: "botmara-export-manifest/1",
      requestId: id,
      counts: doc.manifest.counts,
    });
    expect(await verifyApi(doc.manifest.jws)).toMatchObject({ valid: true, readable: null });

    const html = await call(`/api/privacy/requests/${id}/export?format=html`, { cookie: user.cookie });
    expect(html.headers.get("content-type")).toContain("text/html");
    const page = await html.text();
    expect(page).toContain("<h1>Your data export</h1>");
    expect(page).toContain("/privacy/verify");
    expect(page).not.toContain(user.key);
  });
});
