// Every page at a 390 px phone and a 1280 px desktop: no horizontal scroll, no console error, no axe-core
// violation. Then the dashboard's own flows end to end: request log and CSV, the models page, key limits,
// the playground (with and without JavaScript) and checkout without JavaScript reaching the fake Stripe page.
import type { Browser, BrowserContext } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { DESKTOP, PHONE, pageProblems, sharedBrowser } from "./browser";
import { PASSWORD, proveAddress, signUp as signUpAt } from "./sign-up";

const baseUrl = inject("baseUrl");
const browser = sharedBrowser();

type Account = { email: string; cookie: { name: string; value: string }; key: string };

async function signUp(tag: string): Promise<Account> {
  const email = `e2e-${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
  const { cookie, cookieHeader } = await signUpAt(baseUrl, email);
  const keyRes = await fetch(`${baseUrl}/api/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: cookieHeader, origin: baseUrl },
    body: JSON.stringify({ name: "e2e key" }),
  });
  const { key } = (await keyRes.json()) as { key: string };
  return { email, cookie, key };
}

async function contextFor(
  b: Browser,
  account: Account | null,
  options: {
    javaScriptEnabled?: boolean;
    viewport?: { width: number; height: number };
    colorScheme?: "light" | "dark";
  } = {},
): Promise<{ context: BrowserContext; errors: string[] }> {
  const context = await b.newContext({
    viewport: options.viewport ?? DESKTOP,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    colorScheme: options.colorScheme ?? "light",
  });
  if (account) await context.addCookies([{ ...account.cookie, url: baseUrl }]);
  const errors: string[] = [];
  context.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  context.on("weberror", (e) => errors.push(e.error().message));
  return { context, errors };
}

/** The page sweep's operator (ADMIN_EMAILS in global-setup.ts): signed up, verified, one emailed request recorded. */
async function operatorWithRequest(): Promise<{ account: Account; requestId: string; objectionId: string }> {
  const email = "pages-operator@example.com";
  const { cookie: pair, cookieHeader: cookie } = await signUpAt(baseUrl, email);
  await proveAddress(baseUrl, email, cookie);
  // A request waiting for confirmation: its page shows both the re-send and the deny form.
  const recorded = await fetch(`${baseUrl}/api/admin/privacy/requests`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: baseUrl },
    body: JSON.stringify({ email, type: "access", channel: "email", note: "asked by email" }),
  });
  expect(recorded.status).toBe(201);
  const { id } = (await recorded.json()) as { id: string };
  // An objection waiting for an answer: its page shows the answer form.
  const objected = await fetch(`${baseUrl}/api/privacy/requests`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: baseUrl },
    body: JSON.stringify({ type: "objection", note: "I object to product notices about new models." }),
  });
  expect(objected.status).toBe(202);
  const objection = (await objected.json()) as { id: string };
  return { account: { email, cookie: pair, key: "" }, requestId: id, objectionId: objection.id };
}

/**
 * A proven account in the states other pages add: one WhatsApp number connected, its own OpenAI key stored,
 * processing restricted and an objection waiting — the pages then show their lists, banners and "lift" forms,
 * not only their empty forms.
 */
async function accountWithState(): Promise<Account> {
  const email = `e2e-state-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
  const { cookie, cookieHeader } = await signUpAt(baseUrl, email);
  await proveAddress(baseUrl, email, cookieHeader);
  const send = (method: string, path: string, body: object) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: { "content-type": "application/json", cookie: cookieHeader, origin: baseUrl },
      body: JSON.stringify(body),
    });
  const phoneNumberId = String(100_000_000 + Math.floor(Math.random() * 1e8));
  const connected = await send("PUT", `/api/whatsapp/numbers/${phoneNumberId}`, {
    wabaId: "102290129340398",
    accessToken: "EAAGe2etokene2etokene2etoken",
    appSecret: "e2e0123456789abcdef0123456789ab",
    verifyToken: "e2e-verify-token",
    model: "dev/echo",
    systemPrompt: "You are the assistant of a bakery.",
    password: PASSWORD,
  });
  expect(connected.status, await connected.clone().text()).toBe(200);
  const stored = await send("PUT", "/api/provider-keys/openai", {
    key: "sk-e2e-own-key-0123456789",
    allowPlatformFallback: true,
    password: PASSWORD,
  });
  expect(stored.status, await stored.clone().text()).toBe(200);
  const objected = await send("POST", "/api/privacy/requests", {
    type: "objection",
    note: "I object to product notices about new models.",
  });
  expect(objected.status).toBe(202);
  const restricted = await send("POST", "/api/privacy/requests", { type: "restriction" });
  expect(restricted.status).toBe(202);
  return { email, cookie, key: "" };
}

const chat = (key: string, body: Record<string, unknown>) =>
  fetch(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

const PUBLIC_PAGES = [
  "/",
  "/login",
  "/signup",
  "/privacy",
  "/privacy/promises",
  "/privacy/verify",
  "/models",
  "/models?q=openai&sort=input&dir=desc",
  "/models?sort=cacheWrite&dir=desc",
  "/subprocessors",
  "/legal/dpa",
  "/dev/mailbox",
  "/reset-password",
  "/account-deleted",
  "/no-such-page",
];
const DASHBOARD_PAGES = [
  "/dashboard",
  "/dashboard/keys",
  "/dashboard/keys?edit=FIRST_KEY",
  "/dashboard/keys?revoke=FIRST_KEY",
  "/dashboard/provider-keys",
  "/dashboard/usage",
  "/dashboard/usage?range=24h",
  "/dashboard/requests",
  "/dashboard/requests/FIRST_REQUEST",
  "/dashboard/requests/REFUSED_REQUEST",
  "/dashboard/playground",
  "/dashboard/models",
  "/dashboard/billing",
  "/dashboard/settings",
  "/dashboard/whatsapp",
  "/dashboard/whatsapp/contacts",
  "/dashboard/privacy",
  "/dashboard/provider-keys",
  "/dashboard/account",
  "/dashboard/account/two-factor",
];
/** The pages other sessions added, in the states that fill them (accountWithState). */
const STATE_PAGES = [
  "/dashboard",
  "/dashboard/whatsapp",
  "/dashboard/provider-keys",
  "/dashboard/privacy",
  "/dashboard/account",
  "/dashboard/account/two-factor",
];

describe("every page on a phone and a desktop", () => {
  it("has no horizontal scroll, no console error and no axe-core violation", async () => {
    const account = await signUp("pages");
    // Some data so the tables and charts have rows: a success and a refusal with a valid key.
    const ok = await chat(account.key, {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(ok.status).toBe(200);
    const requestId = ok.headers.get("x-request-id")!;
    await ok.text();
    const refused = await chat(account.key, {
      model: "nope/none",
      messages: [{ role: "user", content: "hi" }],
    });
    const refusedId = refused.headers.get("x-request-id")!;
    await refused.text();
    const keys = (await (
      await fetch(`${baseUrl}/api/keys`, {
        headers: { cookie: `${account.cookie.name}=${account.cookie.value}` },
      })
    ).json()) as { data: { id: string }[] };
    // The page behind the verification link, as opened from the email (opening it uses nothing).
    const mail = (await (
      await fetch(`${baseUrl}/dev/mailbox?format=json&to=${encodeURIComponent(account.email)}`)
    ).json()) as { data: { kind: string; text: string }[] };
    const token = mail.data.find((m) => m.kind === "email_verification")!.text.match(/token=([\w-]+)/)![1];
    const pages = [...DASHBOARD_PAGES, `/confirm?token=${token}`].map((p) =>
      p
        .replace("FIRST_KEY", keys.data[0]!.id)
        .replace("FIRST_REQUEST", requestId)
        .replace("REFUSED_REQUEST", refusedId),
    );
    const operator = await operatorWithRequest();
    const operatorPages = [
      "/admin",
      `/admin/requests/${operator.requestId}`,
      `/admin/requests/${operator.objectionId}`,
      "/admin/records",
      "/admin/incidents",
      "/admin/metrics",
      "/admin/catalogue",
      "/admin/catalogue?model=openai%2Fgpt-4o-mini",
    ];
    const stated = await accountWithState();
    const problems: string[] = [];
    // Light and dark (prefers-color-scheme) at both widths: a phone's layout has its own dark surfaces.
    for (const [viewport, colorScheme] of [
      [PHONE, "light"],
      [DESKTOP, "light"],
      [DESKTOP, "dark"],
      [PHONE, "dark"],
    ] as const) {
      const where = `${viewport.width}px ${colorScheme}`;
      for (const [who, paths] of [
        [null, PUBLIC_PAGES],
        [account, pages],
        [operator.account, operatorPages],
        [stated, STATE_PAGES],
      ] as const) {
        const { context, errors } = await contextFor(browser(), who, { viewport, colorScheme });
        const page = await context.newPage();
        for (const path of paths) {
          errors.length = 0;
          const res = await page.goto(`${baseUrl}${path}`, { waitUntil: "networkidle" });
          expect(res!.status(), path).toBe(path === "/no-such-page" ? 404 : 200);
          expect(await page.title(), path).not.toBe("");
          for (const p of await pageProblems(page)) problems.push(`${where} ${path}: ${p}`);
          // The 404 page's own load is the one expected error in the console.
          const unexpected = errors.filter((e) => !(path === "/no-such-page" && e.includes("404")));
          for (const e of unexpected) problems.push(`${where} ${path}: console: ${e}`);
        }
        // A long result (a receipt that does not check, with a long key id) must wrap, not widen the page.
        if (who === null) {
          await page.goto(`${baseUrl}/privacy/verify`);
          const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
          const long = [
            part({ alg: "EdDSA", kid: `key-${"k".repeat(120)}` }),
            part({ kind: "deletion-receipt", requestId: "r".repeat(120), erased: [] }),
            "s".repeat(86),
          ].join(".");
          await page.locator("textarea").first().fill(long);
          await page.locator("main form button[type=submit]").first().click();
          await page.locator("#result, main [role=alert]").first().waitFor();
          for (const p of await pageProblems(page)) problems.push(`${where} /privacy/verify result: ${p}`);
        }
        await context.close();
      }
    }
    expect(problems).toEqual([]);
    // Four passes over every page (phone and desktop, light and dark): slow on a busy machine.
  }, 1_500_000);

  it("on a phone, the menu opens without JavaScript and reaches every section", async () => {
    const account = await signUp("menu");
    const { context } = await contextFor(browser(), account, { viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/dashboard`);
    // The skip link is the first thing a keyboard reaches.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.getByText("Dashboard: Overview").click();
    await page
      .getByRole("navigation", { name: "Dashboard" })
      .getByRole("link", { name: "Request log" })
      .click();
    await page.waitForURL(`${baseUrl}/dashboard/requests`);
    await page.getByText("Menu", { exact: true }).click();
    await expect.poll(() => page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
    await context.close();
  });
});

describe("the dashboard's flows", () => {
  it("request log: a refused request appears, filters narrow it, the detail opens, the CSV downloads", async () => {
    const account = await signUp("log");
    const ok = await chat(account.key, {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "a" }],
    });
    await ok.text();
    const refused = await chat(account.key, {
      model: "nope/none",
      messages: [{ role: "user", content: "b" }],
    });
    expect(refused.status).toBe(404);
    await refused.text();
    const { context, errors } = await contextFor(browser(), account);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/dashboard/requests`);
    const log = page.getByTestId("request-log");
    await expect.poll(() => log.locator("tbody tr").count()).toBeGreaterThanOrEqual(1);
    await page.getByLabel("Status").selectOption("ok");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/status=ok/);
    await expect.poll(() => log.locator("tbody tr").count()).toBe(1);
    expect(await log.textContent()).toContain("openai/gpt-4o-mini");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV of these filters" }).click(),
    ]);
    const csv = await (await download.createReadStream()).toArray();
    const lines = Buffer.concat(csv).toString("utf8").trim().split("\r\n");
    expect(lines[0]).toMatch(/^id,createdAt,/);
    expect(lines).toHaveLength(2);
    await log.getByRole("link").first().click();
    await page.getByRole("heading", { name: /^Request [0-9a-f]{8}$/ }).waitFor();
    const detail = (await page.textContent("main"))!;
    expect(detail).toContain("Fallback used");
    expect(detail).toContain("Time to first token");
    expect(detail).toContain("Not kept");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("usage charts: each value on hover with JavaScript; without it, the tables and no empty boxes", async () => {
    const account = await signUp("charts");
    const ok = await chat(account.key, {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "a" }],
    });
    await ok.text();
    const { context, errors } = await contextFor(browser(), account);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/dashboard/usage?range=24h`, { waitUntil: "networkidle" });
    const chart = page.locator("section", { has: page.getByRole("heading", { name: /^Requests per/ }) });
    const box = (await chart.locator(".chart").boundingBox())!;
    // The newest hour is at the right: the pointer over it shows that hour's count.
    await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
    const tooltip = chart.locator(".recharts-default-tooltip");
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toMatch(/Requests\s*:\s*1\b/);
    expect(errors).toEqual([]);
    await context.close();

    const plain = await contextFor(browser(), account, { javaScriptEnabled: false });
    const still = await plain.context.newPage();
    await still.goto(`${baseUrl}/dashboard/usage?range=24h`);
    expect(await still.locator(".chart").count()).toBe(0);
    const byModel = still.locator("section", { has: still.getByRole("heading", { name: "Cost by model" }) });
    expect(await byModel.locator("table").textContent()).toContain("openai/gpt-4o-mini");
    expect(await still.locator("details[open] table").count()).toBeGreaterThanOrEqual(3);
    await plain.context.close();
  });

  it("models page: public, every catalogue model with its limits and prices", async () => {
    const { context, errors } = await contextFor(browser(), null);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/models`);
    const table = page.getByTestId("models");
    const text = (await table.textContent())!;
    expect(text).toContain("openai/gpt-4o-mini");
    expect(text).toContain("128,000 tokens");
    expect(text).toContain("$0.15");
    expect(text).toContain("$0.60");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("key limits: set in the form, refused above the plan's ceiling with the value kept, without JavaScript", async () => {
    const account = await signUp("limits");
    const { context } = await contextFor(browser(), account, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/dashboard/keys`);
    await page.getByRole("link", { name: "Edit e2e key" }).click();
    const edit = page.getByRole("region", { name: /Edit e2e key/ });
    await edit.getByLabel("Name").fill("renamed key");
    await edit.getByLabel(/Requests per minute/).fill("5000");
    await edit.getByLabel(/Monthly spend limit/).fill("0.001");
    await edit.getByRole("button", { name: "Save changes" }).click();
    // Every problem at once, in plain words, beside its field; what was typed is still there.
    const form = page.getByRole("region", { name: /Edit e2e key/ });
    expect(await form.textContent()).toContain("Enter at least $0.01, or leave it empty.");
    expect(await form.getByLabel("Name").inputValue()).toBe("renamed key");
    expect(await form.getByLabel(/Requests per minute/).inputValue()).toBe("5000");
    await form.getByLabel(/Monthly spend limit/).fill("2.50");
    await form.getByRole("button", { name: "Save changes" }).click();
    expect(await page.getByRole("region", { name: /Edit/ }).textContent()).toMatch(
      /at most 600 requests per minute/,
    );
    await page
      .getByRole("region", { name: /Edit/ })
      .getByLabel(/Requests per minute/)
      .fill("120");
    await page.getByRole("region", { name: /Edit/ }).getByRole("button", { name: "Save changes" }).click();
    await page.getByText("renamed key is saved.").waitFor();
    const row = page.locator("tr", { hasText: "renamed key" });
    expect(await row.textContent()).toContain("120/min · $2.50/month");
    await context.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`playground ${javaScriptEnabled ? "streams" : "answers without JavaScript"}, and the request is in the log`, async () => {
      const account = await signUp("play");
      const { context, errors } = await contextFor(browser(), account, { javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${baseUrl}/dashboard/playground`, { waitUntil: "networkidle" });
      await page.locator("select[name=model]").selectOption("openai/gpt-4o-mini");
      await page.locator("textarea[name=prompt]").fill("Say hello");
      await page.getByRole("button", { name: "Send", exact: true }).click();
      await expect
        .poll(
          async () =>
            (
              (await page
                .getByTestId("answer")
                .textContent()
                .catch(() => "")) ?? ""
            ).length,
        )
        .toBeGreaterThan(0);
      await page.getByRole("link", { name: "See this request in the log" }).click();
      await page.getByRole("heading", { name: /^Request [0-9a-f]{8}$/ }).waitFor();
      const detail = (await page.textContent("main"))!;
      expect(detail).toContain("openai/gpt-4o-mini");
      expect(detail).toContain(javaScriptEnabled ? "Streamedyes" : "Streamedno");
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it("checkout without JavaScript reaches the fake Stripe page, and the banner clears once paid", async () => {
    const account = await signUp("checkout");
    const { context } = await contextFor(browser(), account, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/dashboard/billing`);
    await page.getByLabel("Amount (USD)").fill("25");
    await page.getByRole("button", { name: "Buy credit" }).click();
    await page.waitForURL(/\/checkout\//);
    expect(await page.textContent("body")).toContain("Fake Stripe");
    await page.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL(/\/dashboard\/billing\?checkout=success/);
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByTestId("payment-confirmed").count();
      })
      .toBe(1);
    expect(await page.getByTestId("payment-pending").count()).toBe(0);
    expect(await page.getByTestId("ledger").textContent()).toContain("$25.00");
    await context.close();
  });
});
