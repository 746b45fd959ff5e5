import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { contactHash, open, seal, verifyTokenHashes } from "#worker/whatsapp/sealing";
import { parseSignature, signBody, verifySignature } from "#worker/whatsapp/signature";

describe("WhatsApp sealing", () => {
  it("round-trips, with a fresh IV each time, and never contains the plaintext", async () => {
    const a = await seal(env, "acct-a", "access_token", "EAAG-secret-token");
    const b = await seal(env, "acct-a", "access_token", "EAAG-secret-token");
    expect(a).not.toBe(b);
    expect(a).not.toContain("EAAG-secret-token");
    expect(await open(env, "acct-a", "access_token", a)).toBe("EAAG-secret-token");
  });

  it("refuses a value moved to another account or field, or tampered with", async () => {
    const sealed = await seal(env, "acct-a", "app_secret", "s3cret");
    await expect(open(env, "acct-b", "app_secret", sealed)).rejects.toThrow();
    await expect(open(env, "acct-a", "access_token", sealed)).rejects.toThrow();
    const [v, iv, ct] = sealed.split(".");
    const flipped = `${ct!.slice(0, -2)}${ct!.endsWith("A") ? "B" : "A"}${ct!.slice(-1)}`;
    await expect(open(env, "acct-a", "app_secret", `${v}.${iv}.${flipped}`)).rejects.toThrow();
  });

  it("hashes a customer's number differently per account, and never in clear", async () => {
    const one = await contactHash(env, "acct-a", "15551234567");
    expect(one).toBe(await contactHash(env, "acct-a", "15551234567"));
    expect(one).not.toBe(await contactHash(env, "acct-b", "15551234567"));
    expect(one).not.toContain("15551234567");
    expect((await verifyTokenHashes(env, "tok"))[0]).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("X-Hub-Signature-256", () => {
  it("accepts only sha256=<64 hex> and verifies the exact bytes", async () => {
    expect(parseSignature(undefined)).toBeNull();
    expect(parseSignature("sha1=abcd")).toBeNull();
    expect(parseSignature(`sha256=${"A".repeat(64)}`)).toBe("a".repeat(64));
    const body = new TextEncoder().encode('{"a":1}');
    const digest = await signBody("secret", body);
    expect(await verifySignature("secret", body, digest)).toBe(true);
    expect(await verifySignature("other", body, digest)).toBe(false);
    expect(await verifySignature("secret", new TextEncoder().encode('{"a": 1}'), digest)).toBe(false);
  });
});
