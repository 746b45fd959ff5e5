// The second factor in a real Chromium: an operator sent from /admin to set up an authenticator app (no
// JavaScript), its recovery codes single use at login; a passkey added and used at login through a virtual
// authenticator (the DevTools protocol's WebAuthn domain). REQUIRE_2FA_FOR_OPERATORS is on, as committed.
import { Secret, TOTP } from "otpauth";
import { expect, it } from "vitest";
import { DESKTOP, sharedBrowser } from "./browser";
import { ownServer } from "./own-server";
import { PASSWORD, proveAddress, signUp } from "./sign-up";

const browser = sharedBrowser();
const OPERATOR = "two-factor-operator@example.com";
// WebAuthn needs a secure context: localhost is one, 127.0.0.1 is not a valid relying party id.
const server = ownServer(
  { MASTER_KEY: "dHdvLWZhY3Rvci1tYXN0ZXIta2V5LTMyLWJ5dGVzLSE=", ADMIN_EMAILS: OPERATOR },
  "localhost",
);

/** The app's code now, or `aheadMs` later (a code works once: a second use in the same step takes the next one). */
const code = (secret: string, aheadMs = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 }).generate({
    timestamp: Date.now() + aheadMs,
  });

async function contextWith(cookieHeader: string | null, javaScriptEnabled: boolean) {
  const context = await browser().newContext({ javaScriptEnabled, viewport: DESKTOP });
  if (cookieHeader) {
    const [name, value] = cookieHeader.split("=") as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

it("without JavaScript: an operator is sent from /admin to set up an app, whose codes then finish a login; recovery codes work once", async () => {
  const { cookieHeader } = await signUp(server.url, OPERATOR);
  await proveAddress(server.url, OPERATOR, cookieHeader);
  const { context, page, errors } = await contextWith(cookieHeader, false);
  await page.goto(`${server.url}/admin`);
  expect(new URL(page.url()).pathname).toBe("/dashboard/account/two-factor");
  expect(await page.locator("main").textContent()).toContain("Operators need a second factor");

  await page.locator("#totp-start-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent())!;
  await page.getByLabel("Code from the app").fill(code(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  const codes = await page.getByRole("list", { name: "Recovery codes" }).locator("li").allTextContents();
  expect(codes).toHaveLength(10);
  await page.getByRole("link", { name: "Continue" }).click();
  expect(new URL(page.url()).pathname).toBe("/admin");
  await context.close();

  // A new browser: the password is not enough; the app's code finishes the login, and a recovery code, once.
  const login = async (typed: string) => {
    const fresh = await contextWith(null, false);
    await fresh.page.goto(`${server.url}/login?next=/admin`);
    await fresh.page.getByLabel("Email").fill(OPERATOR);
    await fresh.page.getByLabel("Password").fill(PASSWORD);
    await fresh.page.getByRole("button", { name: "Log in" }).click();
    expect(new URL(fresh.page.url()).pathname).toBe("/login/2fa");
    await fresh.page.getByLabel(/recovery code/).fill(typed);
    await fresh.page.getByRole("button", { name: "Continue" }).click();
    return fresh;
  };
  // The setup spent this step's code: the app's next one.
  const byApp = await login(code(secret, 30_000));
  expect(new URL(byApp.page.url()).pathname).toBe("/admin");
  await byApp.context.close();
  const first = await login(codes[0]!);
  expect(new URL(first.page.url()).pathname).toBe("/admin");
  await first.context.close();
  const again = await login(codes[0]!);
  expect(new URL(again.page.url()).pathname).toBe("/login/2fa");
  expect(await again.page.locator(".field-error").first().textContent()).toContain("not right");
  await again.context.close();
  expect(errors).toEqual([]);
});

it("with JavaScript: a passkey is added through a virtual authenticator and finishes the next login", async () => {
  const email = `passkey-${Date.now()}@example.com`;
  const { cookieHeader } = await signUp(server.url, email);
  const { context, page, errors } = await contextWith(cookieHeader, true);
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  await page.goto(`${server.url}/dashboard/account/two-factor`);
  await page.getByLabel("Name for the new passkey").fill("Test key");
  await page.locator("#passkey-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect.poll(() => page.getByRole("list", { name: "Recovery codes" }).locator("li").count()).toBe(10);
  await expect
    .poll(() => page.locator("section[aria-labelledby=passkeys]").textContent())
    .toContain("Test key");

  // Logged out, the same browser (and its authenticator) logs in: password, then the passkey.
  await context.clearCookies();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect.poll(() => new URL(page.url()).pathname).toBe("/login/2fa");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect.poll(() => new URL(page.url()).pathname).toBe("/dashboard");
  await context.close();
  expect(errors).toEqual([]);
});
