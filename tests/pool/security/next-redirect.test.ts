// Attack: open redirect through `next=` (issue 31). Dot segments, and their percent-encoded forms, collapse
// to `//host` once a URL parser normalises the path; signed in or right after login, /login must still
// send the browser only to a path on this origin.
import { describe, expect, it } from "vitest";
import * as login from "../../../app/routes/login";
import { newUser, ORIGIN, PASSWORD, testAddress } from "../support/helpers";
import { args, page } from "../support/route-calls";

/** As they appear in the query string (URLSearchParams decodes them once). */
const VARIANTS = [
  "/.//evil.example/phish",
  "/..//evil.example/phish",
  "/./%2F/evil.example/phish",
  "/.%2F%2Fevil.example",
  "%2F.%2F%2Fevil.example",
  "/%2e//evil.example",
  "/%252e//evil.example",
  "/%2E%2E//evil.example",
  "/.%2e//evil.example",
  "/a/..//evil.example",
  "/./%5C/evil.example",
  "/./%09/evil.example",
  "//evil.example",
  "/%2F%2Fevil.example",
];

async function redirectOf(run: () => Promise<unknown>): Promise<Response> {
  try {
    const result = await run();
    if (result instanceof Response) return result;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("no redirect");
}

function expectSameOrigin(res: Response, variant: string) {
  expect(res.status, variant).toBeGreaterThanOrEqual(300);
  expect(res.status, variant).toBeLessThan(400);
  const location = res.headers.get("location")!;
  expect(location.startsWith("/") && !location.startsWith("//") && !location.startsWith("/\\"), variant).toBe(
    true,
  );
  expect(new URL(location, ORIGIN).origin, variant).toBe(ORIGIN);
}

describe("attack: open redirect through dot segments in next=", () => {
  it("signed in: /login?next=… stays on this origin for every variant", async () => {
    const { cookie } = await newUser();
    for (const variant of VARIANTS)
      expectSameOrigin(
        await redirectOf(() => login.loader(args(page(`/login?next=${variant}`, cookie)))),
        variant,
      );
  });

  it("right after login: the redirect stays on this origin for every variant", async () => {
    const { email } = await newUser();
    for (const variant of VARIANTS) {
      const request = new Request(`${ORIGIN}/login?next=${variant}`, {
        method: "POST",
        headers: { origin: ORIGIN, "cf-connecting-ip": testAddress() },
        body: new URLSearchParams({ email, password: PASSWORD }),
      });
      expectSameOrigin(await redirectOf(() => login.action(args(request))), variant);
    }
  });
});
