// Request ids are UUIDv7 (ADR 090): the request log finds a row among its sealed segments by the id's time alone.
import { describe, expect, it } from "vitest";
import { newRequestId } from "#worker/request-id";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newRequestId", () => {
  it("is a UUIDv7 whose first 48 bits are the time in ms", () => {
    const id = newRequestId(0x0123456789ab);
    expect(id).toMatch(UUID_V7);
    expect(id.startsWith("01234567-89ab-7")).toBe(true);
  });

  it("writes every byte as two hex digits, in order", () => {
    expect(newRequestId(0x00000000000f).slice(0, 13)).toBe("00000000-000f");
    expect(newRequestId(0xfffffffffff0).slice(0, 13)).toBe("ffffffff-fff0");
    expect(newRequestId(0x0a0b0c0d0e0f).slice(0, 13)).toBe("0a0b0c0d-0e0f");
  });

  it("is unguessable: 10,000 ids minted in the same millisecond are distinct and well formed", () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newRequestId(now)));
    expect(ids.size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });
});
