// The CSRF decision as a table: every unsafe method, with and without a cookie, from each kind of origin a
// browser reports, on the dashboard's paths and on the machine paths (/v1, /webhooks) where no cookie counts.
import { describe, expect, it } from "vitest";
import { isCsrfRefused } from "#worker/security/csrf";

const ORIGIN = "https://app.example";
type Case = [label: string, method: string, path: string, headers: Record<string, string>, refused: boolean];

const request = (method: string, path: string, headers: Record<string, string>) =>
  new Request(`${ORIGIN}${path}`, { method, headers });

const cookie = { cookie: "session=abc" };
const CASES: Case[] = [
  [
    "a safe method is never refused",
    "GET",
    "/api/keys",
    { ...cookie, origin: "https://evil.example" },
    false,
  ],
  ["HEAD is safe", "HEAD", "/api/keys", { ...cookie, "sec-fetch-site": "cross-site" }, false],
  ["OPTIONS is safe", "OPTIONS", "/api/keys", { ...cookie, origin: "https://evil.example" }, false],
  ["cookie + our Origin", "POST", "/api/keys", { ...cookie, origin: ORIGIN }, false],
  ["cookie + another Origin", "POST", "/api/keys", { ...cookie, origin: "https://evil.example" }, true],
  [
    "cookie + a sibling subdomain's Origin",
    "DELETE",
    "/api/keys/1",
    { ...cookie, origin: "https://x.app.example" },
    true,
  ],
  [
    "cookie + Origin null + same-origin fetch",
    "POST",
    "/confirm",
    { ...cookie, origin: "null", "sec-fetch-site": "same-origin" },
    false,
  ],
  [
    "cookie + Origin null + same-site fetch",
    "POST",
    "/confirm",
    { ...cookie, origin: "null", "sec-fetch-site": "same-site" },
    true,
  ],
  [
    "cookie + Origin null + cross-site fetch",
    "POST",
    "/confirm",
    { ...cookie, origin: "null", "sec-fetch-site": "cross-site" },
    true,
  ],
  [
    "cookie + no Origin + same-origin fetch",
    "PUT",
    "/api/settings/privacy",
    { ...cookie, "sec-fetch-site": "same-origin" },
    false,
  ],
  [
    "cookie + no Origin + same-site fetch",
    "PATCH",
    "/api/account",
    { ...cookie, "sec-fetch-site": "same-site" },
    true,
  ],
  ["cookie + no header at all", "POST", "/api/keys", cookie, true],
  ["no cookie + another Origin (login CSRF)", "POST", "/login", { origin: "https://evil.example" }, true],
  ["no cookie + same-site fetch (login CSRF)", "POST", "/login", { "sec-fetch-site": "same-site" }, true],
  [
    "no cookie + cross-site fetch (login CSRF)",
    "POST",
    "/api/auth/login",
    { "sec-fetch-site": "cross-site" },
    true,
  ],
  [
    "no cookie + Origin null + same-site",
    "POST",
    "/signup",
    { origin: "null", "sec-fetch-site": "same-site" },
    true,
  ],
  ["no cookie + our Origin", "POST", "/login", { origin: ORIGIN }, false],
  [
    "no cookie + Origin null + same-origin fetch (a link page's own form)",
    "POST",
    "/reset-password",
    { origin: "null", "sec-fetch-site": "same-origin" },
    false,
  ],
  ["no cookie + Origin null and nothing else", "POST", "/signup", { origin: "null" }, false],
  ["no cookie + no header (a server or script)", "POST", "/api/auth/login", {}, false],
  ["no cookie + none fetch (typed URL)", "POST", "/login", { "sec-fetch-site": "none" }, false],
  ["/v1 with a stray cookie and no Origin", "POST", "/v1/chat/completions", cookie, false],
  [
    "/v1 with a cookie from another Origin",
    "POST",
    "/v1/messages",
    { ...cookie, origin: "https://evil.example" },
    false,
  ],
  ["/v1 itself", "POST", "/v1", { "sec-fetch-site": "cross-site" }, false],
  ["/webhooks cross-site", "POST", "/webhooks/stripe", { "sec-fetch-site": "cross-site" }, false],
  [
    "a path that only starts like /v1",
    "POST",
    "/v1x/keys",
    { ...cookie, origin: "https://evil.example" },
    true,
  ],
  ["a path that only starts like /webhooks", "POST", "/webhooksx", { "sec-fetch-site": "cross-site" }, true],
  [
    "a path that only contains /v1 further on",
    "POST",
    "/api/v1/keys",
    { ...cookie, origin: "https://evil.example" },
    true,
  ],
];

describe("isCsrfRefused", () => {
  it.each(CASES)("%s", (_label, method, path, headers, refused) => {
    expect(isCsrfRefused(request(method, path, headers), path)).toBe(refused);
  });
});
