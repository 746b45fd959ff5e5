// /admin/metrics in a real browser: at 390 px and at desktop width, with and without JavaScript, after real
// API traffic (a success and a refusal): its hourly table shows the requests, the error table the code, the
// range form works without JavaScript, and there is no horizontal scroll, console error or axe-core violation.
// Then /admin's search finds the customer's failed request by email, without JavaScript.
import { expect, it } from "vitest";
import { DESKTOP, PHONE, pageProblems, sharedBrowser } from "./browser";
import { ownServer } from "./own-server";
import { proveAddress, signUp } from "./sign-up";

const browser = sharedBrowser();
const OPERATOR = "metrics-e2e@example.com";
const server = ownServer({
  MASTER_KEY: "bWV0cmljcy1lMmUtbWFzdGVyLWtleS0zMi1ieXRlcyE=",
  ADMIN_EMAILS: OPERATOR,
  // The second-factor gate has its own test (two-factor.test.ts).
  REQUIRE_2FA_FOR_OPERATORS: "false",
});

async function signUpVerified(email: string): Promise<string> {
  const { cookieHeader } = await signUp(server.url, email);
  await proveAddress(server.url, email, cookieHeader);
  return cookieHeader;
}

it("shows the hour's traffic and errors, on a phone and a desktop, with and without JavaScript", async () => {
  const operatorCookie = await signUpVerified(OPERATOR);
  const customer = `metrics-customer-${Date.now()}@example.com`;
  const { cookieHeader } = await signUp(server.url, customer);
  const created = await fetch(`${server.url}/api/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: cookieHeader, origin: server.url },
    body: JSON.stringify({ name: "metrics" }),
  });
  const { key } = (await created.json()) as { key: string };
  const chat = (model: string) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
    }).then((r) => r.text().then(() => r.status));
  expect(await chat("dev/echo")).toBe(200);
  expect(await chat("nobody/nothing")).toBe(404);
  await server.runCron(); // the alerts have a state

  const [name, value] = operatorCookie.split("=") as [string, string];
  const problems: string[] = [];
  // axe runs in the page (its promises need JavaScript), so a page is checked for problems in the passes with it.
  for (const [viewport, javaScriptEnabled] of [
    [PHONE, false],
    [PHONE, true],
    [DESKTOP, true],
  ] as const) {
    {
      const where = `${viewport.width}px js=${javaScriptEnabled}`;
      const context = await browser().newContext({ javaScriptEnabled, viewport });
      await context.addCookies([{ name, value, url: server.url }]);
      const errors: string[] = [];
      context.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      const page = await context.newPage();
      await page.goto(`${server.url}/admin/metrics`, { waitUntil: "networkidle" });
      expect(await page.locator("h1").textContent()).toBe("Metrics");
      const hours = page.getByTestId("metrics-hours");
      expect(
        Number(await hours.locator("tbody tr").first().locator("td").nth(1).textContent()),
      ).toBeGreaterThanOrEqual(2);
      expect(await page.getByTestId("errors-by-code").textContent()).toContain("model_not_found");
      expect(await page.getByTestId("metrics-alerts").textContent()).toContain("error_rate");
      // The range form.
      await page.locator("select[name=hours]").selectOption("6");
      await page.getByRole("button", { name: "Show" }).click();
      await page.waitForURL(/hours=6/);
      expect(await hours.locator("tbody tr").count()).toBeGreaterThanOrEqual(6);
      if (javaScriptEnabled) for (const p of await pageProblems(page)) problems.push(`${where}: ${p}`);
      for (const e of errors) problems.push(`${where}: console: ${e}`);
      await context.close();
    }
  }
  expect(problems).toEqual([]);

  // /admin: the customer's failed request, found by email without JavaScript, at 390 px.
  const context = await browser().newContext({ javaScriptEnabled: false, viewport: PHONE });
  await context.addCookies([{ name, value, url: server.url }]);
  const page = await context.newPage();
  await page.goto(`${server.url}/admin`);
  await page.getByLabel("Email or account id").fill(customer);
  await page.getByRole("button", { name: "Find failures" }).click();
  const found = page.getByTestId("customer-failures");
  await expect.poll(() => found.textContent()).toContain("model_not_found");
  expect(await found.locator("tbody tr").count()).toBe(1);
  await context.close();
  const checked = await browser().newContext({ viewport: PHONE });
  await checked.addCookies([{ name, value, url: server.url }]);
  const admin = await checked.newPage();
  await admin.goto(`${server.url}/admin`);
  expect(await pageProblems(admin)).toEqual([]);
  await checked.close();
}, 600_000);
