// Identity in the built dashboard, as a browser without JavaScript uses it: the verify banner and its resend
// button, reset-password, the account page, next= redirects, the login form ending the session it replaces,
// no-store on private pages and the security headers on static assets.
import { connect } from "node:net";
import { expect, inject, it } from "vitest";
import { sharedBrowser } from "./browser";
import { PASSWORD } from "./sign-up";

const baseUrl = inject("baseUrl");
const browser = sharedBrowser();

/** A plain form POST, as a browser without JavaScript sends it. */
function post(path: string, fields: Record<string, string>, cookie?: string) {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: baseUrl,
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
}
const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0]!;

async function signUp(email = `e2e-trust-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`) {
  const res = await post("/signup", { email, password: PASSWORD });
  expect(res.status).toBe(302);
  return { email, cookie: cookieOf(res) };
}

it("the login form ends the session it replaces, and follows next= only to same-origin paths", async () => {
  const { email, cookie } = await signUp();
  for (const next of ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example/"]) {
    const res = await post(`/login?next=${encodeURIComponent(next)}`, { email, password: PASSWORD });
    expect(res.status, next).toBe(302);
    expect(res.headers.get("location"), next).toBe("/dashboard");
    await res.arrayBuffer();
  }
  const replaced = await post("/login?next=%2Fdashboard%2Fkeys", { email, password: PASSWORD }, cookie);
  expect(replaced.headers.get("location")).toBe("/dashboard/keys");
  expect((await fetch(`${baseUrl}/api/account`, { headers: { cookie } })).status).toBe(401);
  const fresh = cookieOf(replaced);
  expect((await fetch(`${baseUrl}/api/account`, { headers: { cookie: fresh } })).status).toBe(200);
});

it("a 30 MB login form is refused with 413 from its Content-Length, before anything parses it", async () => {
  // A raw socket: announce 30 MB and send it. Nothing parses the form; the unread body is discarded so the 413
  // arrives instead of a reset (worker/drain-body.ts, ADR 029).
  const { hostname, port } = new URL(baseUrl);
  const size = 30 * 1024 * 1024;
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /login HTTP/1.1\r\nHost: ${hostname}:${port}\r\nOrigin: ${baseUrl}\r\n` +
          `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${size}\r\n\r\nemail=a`,
      );
      socket.write(Buffer.alloc(size - "email=a".length, 0x61));
    });
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
      if (text.includes("\r\n")) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on("error", reject);
  });
  expect(answer.split("\r\n")[0]).toMatch(/^HTTP\/1\.1 413/);
});

it("private pages are no-store; static assets carry the security headers", async () => {
  const { cookie } = await signUp();
  for (const path of [
    "/dashboard",
    "/dashboard/account",
    "/reset-password",
    "/confirm?token=nothing-here-1",
  ]) {
    const res = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
    expect(res.headers.get("cache-control"), path).toBe("no-store");
    await res.arrayBuffer();
  }
  const html = await (await fetch(`${baseUrl}/login`)).text();
  const asset = /(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/.exec(html)?.[1];
  expect(asset).toBeDefined();
  const res = await fetch(`${baseUrl}${asset}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
});

it("without JavaScript: the verify banner resends, the account page changes the password, reset works", async () => {
  const context = await browser().newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const email = `e2e-nojs-${Date.now()}@example.com`;
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/Password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/dashboard/);
  await page.getByTestId("verify-banner").waitFor();
  await page.getByRole("button", { name: "Send the link again" }).click();
  await page.getByText("A new link is on its way").waitFor();

  await page.goto(`${baseUrl}/dashboard/account`);
  const passwordForm = page.locator("form", { has: page.getByLabel("New password") });
  await passwordForm.getByLabel("Current password").fill(PASSWORD);
  await passwordForm.getByLabel(/New password/).fill("another long password");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByText("Your password is changed").waitFor();
  await page.getByRole("button", { name: "Log out everywhere else" }).click();
  await page.getByText("Every other session of your account is logged out").waitFor();

  // Forgot it: the reset link from the dev mailbox, then a new password; every session ends.
  await page.goto(`${baseUrl}/reset-password`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Mail me a reset link" }).click();
  await page.getByText("Check your inbox").waitFor();
  const box = (await (
    await fetch(`${baseUrl}/dev/mailbox?format=json&to=${encodeURIComponent(email)}`)
  ).json()) as {
    data: { kind: string; text: string }[];
  };
  const link = /(http\S+reset-password\?token=\S+)/.exec(
    box.data.find((m) => m.kind === "password_reset")!.text,
  )![1]!;
  await page.goto(link);
  await page.getByLabel(/New password/).fill("the third long password");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await page.getByText("Every session of your account was logged out").waitFor();
  await page.goto(`${baseUrl}/dashboard`);
  expect(new URL(page.url()).pathname).toBe("/login");
  await context.close();
});
