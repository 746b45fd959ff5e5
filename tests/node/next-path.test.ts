// next= after login: only same-origin paths survive; every way of naming another host falls back.
import { describe, expect, it } from "vitest";
import { safeNext } from "#worker/security/next-path";

describe("safeNext (attack: redirect variants)", () => {
  it.each([
    ["//evil.example"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["/\t/evil.example"], // what /%09/evil decodes to
    ["/\n/evil.example"],
    [" /evil"],
    ["https://evil.example/dashboard"],
    ["http:/evil.example"],
    ["javascript:alert(1)"],
    ["evil.example"],
    [""],
    [null],
    // Dot segments collapse to // only once the URL parser normalises the path (issue 31).
    ["/.//evil.example/phish"],
    ["/..//evil.example/phish"],
    ["/./..//evil.example"],
    ["/a/..//evil.example"],
    ["/%2e//evil.example"],
    ["/%2E%2E//evil.example"],
    ["/.%2e//evil.example"],
    ["/./\\evil.example"],
  ])("refuses %j and goes to /dashboard", (next) => {
    expect(safeNext(next)).toBe("/dashboard");
  });

  it.each([
    ["/dashboard/keys", "/dashboard/keys"],
    ["/dashboard/usage?from=2026-01-01#top", "/dashboard/usage?from=2026-01-01#top"],
    ["/%09/evil", "/%09/evil"], // still encoded: a path on this origin
    ["/a/../admin", "/admin"],
  ])("keeps the same-origin path %j", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it("decoding the query string once (as URLSearchParams does) never yields another host", () => {
    for (const raw of [
      "/%09/evil",
      "/%5Cevil",
      "%2F%2Fevil",
      "/%0a/evil",
      "/%2F/evil",
      "/./%2F/evil",
      "/.%2F%2Fevil",
      "%2F.%2F%2Fevil",
      "/%2e/%2F/evil",
      "/%252e//evil",
      "/..%2F%2Fevil",
    ]) {
      const next = new URLSearchParams(`next=${raw}`).get("next");
      const target = new URL(safeNext(next), "https://app.example");
      expect(target.origin, raw).toBe("https://app.example");
    }
  });
});
