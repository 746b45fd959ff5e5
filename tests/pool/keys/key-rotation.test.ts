// A MASTER_KEY rotation keeps every key derived from it working: with the new key as MASTER_KEY and the
// old one as MASTER_KEY_PREVIOUS, what was made under the old key is still found, verified and read;
// without MASTER_KEY_PREVIOUS it no longer is. And the master key is decoded and checked in one place.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hmacHex } from "#worker/crypto/encoding";
import { derive, masterKeys } from "#worker/crypto/master-key";
import { openDeletion } from "#worker/privacy/deletion/start";
import { readPart, writePart } from "#worker/privacy/export/parts";
import { canonical, checkReceipt } from "#worker/privacy/receipts/receipt";
import { subjectOf } from "#worker/privacy/subject";
import { open, seal, verifyTokenHashes } from "#worker/whatsapp/sealing";

const key32 = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");

/** The three moments of a rotation: before it, during it (new key, old one previous), after it. */
function rotation() {
  const oldKey = key32();
  const newKey = key32();
  return {
    before: { ...env, MASTER_KEY: oldKey, MASTER_KEY_PREVIOUS: "" } as Env,
    during: { ...env, MASTER_KEY: newKey, MASTER_KEY_PREVIOUS: oldKey } as Env,
    after: { ...env, MASTER_KEY: newKey, MASTER_KEY_PREVIOUS: "" } as Env,
  };
}

describe("MASTER_KEY rotation", () => {
  it("pseudonym lookup: a request recorded under the old key's pseudonym is still found", async () => {
    const { before, during, after } = rotation();
    const accountId = crypto.randomUUID();
    const id = crypto.randomUUID();
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO privacy_requests (id, account_id, subject, type, channel, status, received_at, due_at, updated_at)
       VALUES (?, NULL, ?, 'deletion', 'email', 'verifying', ?, ?, ?)`,
    )
      .bind(id, await subjectOf(before, accountId), now, now + 86_400_000, now)
      .run();
    expect(await subjectOf(during, accountId)).not.toBe(await subjectOf(before, accountId));
    expect((await openDeletion(during, accountId))?.id).toBe(id);
    expect(await openDeletion(after, accountId)).toBeUndefined();
  });

  it("receipt verification: an HMAC receipt signed under the old key still verifies", async () => {
    const { before, during, after } = rotation();
    const body = { kind: "botmara-deletion-receipt/1", requestId: "r-rotated", subject: "s", erased: [] };
    const [oldKey] = await derive(before, "deletion-receipt");
    const receipt = { ...body, signature: await hmacHex(oldKey!, canonical(body)) };
    expect(await checkReceipt(during, receipt)).toMatchObject({ valid: true, format: "hmac" });
    expect(await checkReceipt(during, { ...receipt, requestId: "r-other" })).toMatchObject({ valid: false });
    expect(await checkReceipt(after, receipt)).toMatchObject({ valid: false, format: "hmac" });
  });

  it("export read: a part written before the rotation still opens", async () => {
    const { before, during, after } = rotation();
    const accountId = crypto.randomUUID();
    const requestId = crypto.randomUUID();
    const key = `exports/${accountId}/${requestId}/000000`;
    await writePart(before, accountId, requestId, key, [{ n: 1 }, { n: 2 }]);
    const text = new TextDecoder().decode(await readPart(during, accountId, requestId, key));
    expect(JSON.parse(`[${text}]`)).toEqual([{ n: 1 }, { n: 2 }]);
    await expect(readPart(after, accountId, requestId, key)).rejects.toThrow();
    // Parts written during the rotation are under the new key, readable after it.
    await writePart(during, accountId, requestId, `${key}-new`, [{ n: 3 }]);
    expect(new TextDecoder().decode(await readPart(after, accountId, requestId, `${key}-new`))).toBe(
      '{"n":3}',
    );
  });

  it("WhatsApp: secrets live under the account's data key (rewrapped, not resealed, on rotation); a verify token hashed under the old key still matches", async () => {
    const { before, during, after } = rotation();
    const accountId = crypto.randomUUID();
    // Sealed with the account's data key (ADR 053): a rotation rewraps that key, so the sealed value never changes.
    const sealed = await seal(env, accountId, "access_token", "EAAG-secret");
    expect(sealed.startsWith("w2")).toBe(true);
    expect(await open(env, accountId, "access_token", sealed)).toBe("EAAG-secret");
    const [oldHash] = await verifyTokenHashes(before, "verify-me");
    expect(await verifyTokenHashes(during, "verify-me")).toContain(oldHash);
    expect(await verifyTokenHashes(after, "verify-me")).not.toContain(oldHash);
  });

  it("data keys: the previous KEK is offered for unwrapping during the rotation", async () => {
    const { before, during } = rotation();
    const old = await masterKeys(before)!;
    const rotated = await masterKeys(during)!;
    expect(rotated.previous?.id).toBe(old.current.id);
    expect(rotated.current.id).not.toBe(old.current.id);
  });

  it("decodes and checks MASTER_KEY in one place, with one message, for every use", async () => {
    const short = { ...env, MASTER_KEY: Buffer.from("sixteen-byte-key").toString("base64") } as Env;
    const message = "MASTER_KEY must be 32 bytes, base64-encoded";
    await expect(masterKeys(short)!).rejects.toThrow(message);
    await expect(subjectOf(short, "a")).rejects.toThrow(message);
    await expect(seal(short, "a", "f", "x")).rejects.toThrow(message);
    const badPrevious = { ...env, MASTER_KEY_PREVIOUS: "dG9vLXNob3J0" } as Env;
    await expect(subjectOf(badPrevious, "a")).rejects.toThrow("MASTER_KEY_PREVIOUS must be 32 bytes");
    // Both base64 alphabets are accepted (operators paste `openssl rand -base64 32`).
    const standard = key32();
    const urlSafe = standard.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    expect(await subjectOf({ ...env, MASTER_KEY: urlSafe } as Env, "a")).toBe(
      await subjectOf({ ...env, MASTER_KEY: standard } as Env, "a"),
    );
  });
});
