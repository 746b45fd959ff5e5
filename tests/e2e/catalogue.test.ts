// The catalogue's operator and customer pages in a real browser at 390 px: an operator adds a model on
// /admin/catalogue without JavaScript (a minute ahead, listed as scheduled); a customer stores a provider key on
// /dashboard/provider-keys without JavaScript (shown by its prefix, never echoed), switches its fallback and
// deletes it; /models sorted by a cache price. No horizontal scroll; with JavaScript, no axe-core violation.
import type { BrowserContext, Page } from "playwright-core";
import { expect, it } from "vitest";
import { PHONE, pageProblems, sharedBrowser } from "./browser";
import { ownServer } from "./own-server";
import { PASSWORD, proveAddress, signUp } from "./sign-up";

const browser = sharedBrowser();
const OPERATOR = "catalogue-e2e@example.com";
const server = ownServer({
  MASTER_KEY: "Y2F0YWxvZ3VlLWUyZS1tYXN0ZXIta2V5LTMyLWJ5dCE=",
  ADMIN_EMAILS: OPERATOR,
  // The second-factor gate has its own test (two-factor.test.ts).
  REQUIRE_2FA_FOR_OPERATORS: "false",
});
const CUSTOMER_KEY = "sk-e2e-customer-key-0123456789abcdefghijkl";

async function phone(cookieHeader: string, javaScriptEnabled: boolean): Promise<BrowserContext> {
  const context = await browser().newContext({ javaScriptEnabled, viewport: PHONE });
  const [name, value] = cookieHeader.split("=") as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  return context;
}

const noScroll = (page: Page) =>
  page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth);

it("an operator adds a model on /admin/catalogue without JavaScript, at 390 px", async () => {
  const { cookieHeader } = await signUp(server.url, OPERATOR);
  await proveAddress(server.url, OPERATOR, cookieHeader);
  const id = `openai/gpt-e2e-${Date.now()}`;
  const context = await phone(cookieHeader, false);
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/catalogue`);
  expect(await page.getByTestId("catalogue-models").textContent()).toContain("openai/gpt-4o-mini");
  expect(await noScroll(page)).toBe(true);
  await page.locator("input[name=modelId]").fill(id);
  await page.locator("input[name=contextTokens]").fill("128000");
  await page.locator("input[name=maxOutputTokens]").fill("16000");
  await page.locator("input[name='prices.input']").fill("1.25");
  await page.locator("input[name='prices.output']").fill("5");
  await page.getByRole("button", { name: "Add the model" }).click();
  await page.getByRole("status").waitFor();
  expect(await page.getByRole("status").textContent()).toContain(`Saved: ${id}`);
  const history = await page.getByTestId("catalogue-overrides").textContent();
  expect(history).toContain(id);
  expect(history).toContain("scheduled");
  expect(await noScroll(page)).toBe(true);
  // A refused price is shown beside its field.
  await page.goto(`${server.url}/admin/catalogue?model=openai%2Fgpt-4o-mini`);
  await page.locator("input[name='prices.cachedInput']").fill("9");
  await page.getByRole("button", { name: "Save the override of openai/gpt-4o-mini" }).click();
  expect(await page.locator(".field-error").first().textContent()).toContain("cached input costs more");
  await context.close();

  const withJs = await phone(cookieHeader, true);
  const checked = await withJs.newPage();
  const problems: string[] = [];
  for (const path of ["/admin/catalogue", "/admin/catalogue?model=anthropic%2Fclaude-sonnet-4-5"]) {
    await checked.goto(`${server.url}${path}`, { waitUntil: "networkidle" });
    for (const p of await pageProblems(checked)) problems.push(`${path}: ${p}`);
  }
  await withJs.close();
  expect(problems).toEqual([]);
});

it("a customer stores, switches and deletes a provider key without JavaScript, at 390 px", async () => {
  const email = `byok-e2e-${Date.now()}@example.com`;
  const { cookieHeader } = await signUp(server.url, email);
  const context = await phone(cookieHeader, false);
  const page = await context.newPage();
  await page.goto(`${server.url}/dashboard/provider-keys`);
  expect(await page.getByTestId("provider-keys").textContent()).toContain("No keys stored");
  await page.locator("select[name=provider]").selectOption("openai");
  await page.locator("input[name=key]").fill(CUSTOMER_KEY);
  await page.locator("input[name=password]").fill(PASSWORD);
  await page.getByRole("button", { name: "Store the key" }).click();
  // (The unverified address's banner is a status too.)
  const done = page.locator(".alert.success");
  await done.waitFor();
  expect(await done.textContent()).toContain("is stored");
  expect(await page.getByTestId("provider-keys").textContent()).toContain(`${CUSTOMER_KEY.slice(0, 10)}…`);
  expect(await page.content()).not.toContain(CUSTOMER_KEY);
  expect(await noScroll(page)).toBe(true);
  await page.getByRole("button", { name: "Allow the platform key" }).click();
  await page.getByText("Platform key (list price)").waitFor();
  await page.getByRole("button", { name: "Delete your OpenAI key" }).click();
  await page.getByText("No keys stored").waitFor();
  await context.close();

  const withJs = await phone(cookieHeader, true);
  const checked = await withJs.newPage();
  const problems: string[] = [];
  for (const path of [
    "/dashboard/provider-keys",
    "/models?sort=cacheWrite&dir=desc",
    "/dashboard/models?q=claude&sort=cachedInput",
  ]) {
    await checked.goto(`${server.url}${path}`, { waitUntil: "networkidle" });
    for (const p of await pageProblems(checked)) problems.push(`${path}: ${p}`);
  }
  await checked.goto(`${server.url}/models?sort=cacheWrite&dir=desc`);
  // This server configures the built-in provider only (no cache prices): the order is by id, the choice kept.
  expect(await checked.locator("select[name=sort]").inputValue()).toBe("cacheWrite");
  expect(await checked.getByTestId("models").locator("tbody tr").first().textContent()).toContain("dev/echo");
  await withJs.close();
  expect(problems).toEqual([]);
});
