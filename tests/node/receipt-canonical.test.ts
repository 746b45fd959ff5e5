// Receipt canonicalisation: the signed text depends on content only — never on key order — and is JSON.
import { describe, expect, it } from "vitest";
import { canonical } from "#worker/privacy/receipts/receipt";

describe("canonical", () => {
  it.each([
    ["keys sorted", { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ["nested objects sorted too", { z: { y: 1, x: [{ b: 1, a: 2 }] } }, '{"z":{"x":[{"a":2,"b":1}],"y":1}}'],
    ["array order kept", [3, 1, 2], "[3,1,2]"],
    ["undefined fields left out, null kept", { a: undefined, b: null }, '{"b":null}'],
    ["strings escaped as JSON", { 'q"': 'line\n"é"' }, '{"q\\"":"line\\n\\"é\\""}'],
    ["scalars", 42, "42"],
    ["empty", {}, "{}"],
  ])("%s", (_name, value, text) => {
    expect(canonical(value)).toBe(text);
  });

  it("is the same text for the same content in any key order, and parses back to it", () => {
    const a = { requestId: "r", erased: [{ holder: "usage", records: 3 }], subject: "s" };
    const b = { subject: "s", erased: [{ records: 3, holder: "usage" }], requestId: "r" };
    expect(canonical(a)).toBe(canonical(b));
    expect(JSON.parse(canonical(a))).toEqual(a);
  });
});
