import { expect, it } from "vitest";
import { fromBase64Url, toBase64Url, toHex } from "#worker/crypto/encoding";

it("hex-encodes every byte value, zero-padded", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  expect(toHex(all)).toBe(Buffer.from(all).toString("hex"));
  expect(toHex(all.buffer)).toBe(Buffer.from(all).toString("hex"));
});

it("round-trips base64url without padding", () => {
  for (const n of [0, 1, 2, 3, 31, 32, 33]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
    const text = toBase64Url(bytes);
    expect(text).not.toMatch(/[+/=]/);
    expect([...fromBase64Url(text)]).toEqual([...bytes]);
  }
});
