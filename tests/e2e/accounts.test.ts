// A newcomer in a real browser: sign up, create a key, copy it, call the API with it, revoke it.
import { expect, inject, it } from "vitest";
import { openPage, sharedBrowser } from "./browser";
import { PASSWORD } from "./sign-up";

const baseUrl = inject("baseUrl");
const browser = sharedBrowser();

it("redirects the dashboard to the login page without a session", async () => {
  const { page, errors } = await openPage(browser());
  await page.goto(`${baseUrl}/dashboard/keys`);
  expect(new URL(page.url()).pathname).toBe("/login");
  expect(errors).toEqual([]);
});

it("signs up, creates a key, uses it, revokes it — with no console errors", async () => {
  const { page, errors } = await openPage(browser());
  await page.goto(`${baseUrl}/`, { waitUntil: "networkidle" });
  await page.getByRole("link", { name: "Sign up" }).first().click();
  await page.getByLabel("Email").fill(`e2e-${Date.now()}@example.com`);
  await page.getByLabel(/Password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/dashboard/keys`);

  await page.getByLabel("Name").fill("laptop");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-key").textContent())!;
  expect(key).toMatch(/^bm_/);
  await page.getByRole("button", { name: "Copy key", exact: true }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  const models = await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  expect(models.status).toBe(200);

  // Revoking asks first: the link opens a confirmation, only its button revokes.
  await page.getByRole("link", { name: "Revoke laptop" }).click();
  await page.getByRole("heading", { name: "Revoke laptop?" }).waitFor();
  await page.getByRole("button", { name: "Revoke key" }).click();
  await expect.poll(() => page.getByText("revoked", { exact: true }).count()).toBe(1);
  const after = await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  expect(after.status).toBe(401);
  expect(errors).toEqual([]);
});

it("shows a clear error for a wrong password, and logs in and out", async () => {
  const { page, errors } = await openPage(browser());
  const email = `e2e-login-${Date.now()}@example.com`;
  const signup = await fetch(`${baseUrl}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(signup.status).toBe(201);
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("the wrong password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect.poll(() => page.getByRole("alert").textContent()).toContain("Incorrect email or password");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${baseUrl}/dashboard`);
  // The overview: the trial credit, no usage yet, and privacy at its defaults (logging and training off).
  await page.getByRole("heading", { name: /Welcome/ }).waitFor();
  const overview = (await page.textContent("main"))!;
  expect(overview).toContain("$1.00");
  expect(overview).toMatch(/Requests, last 30 days\s*0/);
  expect(overview).toMatch(/Content logging\s*off/);
  expect(overview).toMatch(/Training use\s*off/);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(`${baseUrl}/`);
  // The 401 of the wrong password is an expected network error in the console; nothing else is.
  expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
});

it("renders the privacy policy from the running configuration", async () => {
  const { page, errors } = await openPage(browser());
  await page.goto(`${baseUrl}/privacy`);
  const text = await page.textContent("main");
  expect(text).toContain("within 30 days");
  expect(text).toContain("privacy@botmara.com");
  expect(text).toContain("1 day, 7 days, 30 days or 90 days");
  expect(errors).toEqual([]);
});
