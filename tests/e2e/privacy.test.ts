// Data rights in a real browser: export and download, deletion with password confirmation, and an
// operator recording an emailed request that the account holder confirms through a single-use link.
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { expect, inject, it } from "vitest";
import { freePort } from "../../scripts/ports";
import { startServer } from "../../scripts/server";
import { openPage, sharedBrowser } from "./browser";
import { PASSWORD } from "./sign-up";

const baseUrl = inject("baseUrl");
const browser = sharedBrowser();

/** Expected refusals show in Chromium's console as failed loads with their status; nothing else may. */
const unexpected = (errors: string[], ...statuses: number[]) =>
  errors.filter((e) => !statuses.some((s) => e.includes(`status of ${s}`)));

async function signUpInBrowser(page: Page, email: string): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/Password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/dashboard/keys`);
}

type Notice = { to: string; kind: string; text: string };

async function mailbox(email: string): Promise<Notice[]> {
  const res = await fetch(`${baseUrl}/dev/mailbox?format=json&to=${encodeURIComponent(email)}`);
  return ((await res.json()) as { data: Notice[] }).data;
}

async function noticeOf(email: string, kind: string): Promise<Notice> {
  await expect
    .poll(async () => (await mailbox(email)).some((n) => n.kind === kind), { timeout: 20_000 })
    .toBe(true);
  return (await mailbox(email)).find((n) => n.kind === kind)!;
}

/**
 * Verifies an address as its holder does: the link from the dev mailbox, posted once — from the browser `page`
 * that signed up, when there is one (elsewhere, the first proof ends that browser's session: ADR 009).
 */
async function verifyEmail(email: string, page?: Page): Promise<void> {
  const link = (await noticeOf(email, "email_verification")).text.match(/token=([A-Za-z0-9_-]+)/)![1]!;
  const cookies = page ? await page.context().cookies(baseUrl) : [];
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const res = await fetch(`${baseUrl}/api/privacy/links`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ token: link }),
  });
  expect(res.status).toBe(200);
}

it("exports the account's data, downloads it, then deletes the account with password confirmation", async () => {
  const { page, errors } = await openPage(browser());
  const email = `e2e-rights-${Date.now()}@example.com`;
  await signUpInBrowser(page, email);
  await page.getByLabel("Name").fill("rights laptop");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-key").textContent())!;
  expect((await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
    200,
  );

  // Export: requested in the page, built in the background by the account's Durable Object alarm.
  await page.goto(`${baseUrl}/dashboard/privacy`);
  await expect.poll(() => page.getByRole("heading", { name: "Your rights" }).count()).toBe(1);
  await page.getByRole("button", { name: "Request an export" }).click();
  const download = page.getByRole("link", { name: "Download export" });
  await download.waitFor({ timeout: 30_000 });
  expect(await page.getByTestId("request-access").getByText("completed").count()).toBe(1);
  const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
  expect(file.suggestedFilename()).toMatch(/^export-.*\.json$/);
  const text = await readFile((await file.path())!, "utf8");
  const exported = JSON.parse(text) as { data: Record<string, unknown[]>; summary: string };
  expect(exported.data.profile).toEqual([expect.objectContaining({ email })]);
  expect(exported.data.api_keys).toEqual([expect.objectContaining({ name: "rights laptop" })]);
  expect(exported.summary).toContain("never included");
  expect(text).not.toContain(key);
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toMatch(/password_hash|passwordHash|session_hash/);
  expect((await noticeOf(email, "export_ready")).text).not.toContain(key);

  // Deletion: a wrong password is refused and changes nothing.
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel(/I understand/).check();
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect.poll(() => page.getByText(/not your current password/).count()).toBe(1);
  expect((await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
    200,
  );

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel(/I understand/).check();
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.waitForURL(`${baseUrl}/account-deleted`);
  await expect.poll(() => page.textContent("main")).toContain("You are signed out");

  // Logged out, the key dead, and the login refused.
  expect((await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
    401,
  );
  await page.goto(`${baseUrl}/dashboard/privacy`);
  expect(new URL(page.url()).pathname).toBe("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect.poll(() => page.getByRole("alert").textContent()).toContain("Incorrect email or password");

  // The erasure finishes by itself and the receipt arrives by notice.
  const receipt = await noticeOf(email, "deletion_completed");
  expect(receipt.text).toContain("botmara-deletion-receipt/2");
  expect(unexpected(errors, 401)).toEqual([]);
});

it("lets an operator record an emailed request that the account holder confirms by a single-use link", async () => {
  const subjectEmail = `e2e-emailed-${Date.now()}@example.com`;
  const signup = await fetch(`${baseUrl}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: subjectEmail, password: PASSWORD }),
  });
  expect(signup.status).toBe(201);
  // Emailed requests are confirmed only through a verified address.
  await verifyEmail(subjectEmail);

  // A non-operator is refused the operators' page.
  const outsider = await openPage(browser());
  await signUpInBrowser(outsider.page, `e2e-outsider-${Date.now()}@example.com`);
  const refused = await outsider.page.goto(`${baseUrl}/admin`);
  expect(refused!.status()).toBe(403);

  const { page, errors } = await openPage(browser());
  await signUpInBrowser(page, "operator@example.com");
  // Listed in ADMIN_EMAILS is not enough: the operator verifies the address first.
  expect((await page.goto(`${baseUrl}/admin`))!.status()).toBe(403);
  await verifyEmail("operator@example.com", page);
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel("Sender's email").fill(subjectEmail);
  await page.getByLabel("Kind of request").selectOption("access");
  await page.getByLabel(/Note/).fill("Asked by email on Monday");
  await page.getByRole("button", { name: "Record request" }).click();
  await expect
    .poll(() => page.getByRole("status").textContent())
    .toContain("The account holder was sent a confirmation link");
  const row = page.getByTestId("queue-row").filter({ hasText: "Asked by email on Monday" });
  expect(await row.textContent()).toContain("waiting for confirmation");
  expect(await row.textContent()).toMatch(/(29|30) days left/);

  // The account holder opens the link: opening it does nothing; the button confirms.
  const notice = await noticeOf(subjectEmail, "request_confirmation");
  const link = notice.text.match(/https?:\/\/\S+\/confirm\?token=\S+/)![0];
  const holder = await openPage(browser());
  await holder.page.goto(link.replace(/^https?:\/\/[^/]+/, baseUrl));
  await expect
    .poll(() => holder.page.getByRole("heading", { level: 1 }).textContent())
    .toBe("Confirm your request for a copy of your data");
  await page.reload();
  expect(await row.textContent()).toContain("waiting for confirmation");

  await holder.page.getByRole("button", { name: "Confirm: send me my data" }).click();
  await expect.poll(() => holder.page.getByRole("status").textContent()).toContain("Confirmed");
  await noticeOf(subjectEmail, "export_ready");
  await page.reload();
  expect(await row.textContent()).toContain("completed");

  // The link works once.
  const reused = await holder.page.goto(link.replace(/^https?:\/\/[^/]+/, baseUrl));
  expect(reused!.status()).toBe(400);
  expect(await holder.page.getByRole("heading", { level: 1 }).textContent()).toBe(
    "This link no longer works",
  );

  expect(unexpected(errors, 403)).toEqual([]); // the 403 before the operator verified
  expect(unexpected(outsider.errors, 403)).toEqual([]);
  expect(unexpected(holder.errors, 400)).toEqual([]);
});

it("works without JavaScript: the export by reloading, and the deletion form", async () => {
  const context = await browser().newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  const email = `e2e-nojs-${Date.now()}@example.com`;
  await signUpInBrowser(page, email);
  await page.goto(`${baseUrl}/dashboard/privacy`);
  await page.getByRole("button", { name: "Request an export" }).click();
  await page.waitForLoadState();
  await expect
    .poll(
      async () => {
        await page.goto(`${baseUrl}/dashboard/privacy`);
        return page.getByRole("link", { name: "Download export" }).count();
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(1);
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel(/I understand/).check();
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.waitForURL(`${baseUrl}/account-deleted`);
  expect(await page.textContent("main")).toContain("You are signed out");
  await page.goto(`${baseUrl}/dashboard`);
  expect(new URL(page.url()).pathname).toBe("/login");
  expect(errors).toEqual([]);
  await context.close();
});

it("without JavaScript at 390 px: restricts processing and lifts it, and sends an objection", async () => {
  const context = await browser().newContext({
    javaScriptEnabled: false,
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  await signUpInBrowser(page, `e2e-restrict-${Date.now()}@example.com`);
  await page.goto(`${baseUrl}/dashboard/privacy`);
  await page.getByRole("button", { name: "Restrict processing" }).click();
  await page.waitForLoadState();
  expect(await page.getByTestId("restriction-state").textContent()).toMatch(/^Restricted since/);
  await page.getByRole("button", { name: "Lift the restriction" }).click();
  await page.waitForLoadState();
  expect(await page.getByTestId("restriction-state").textContent()).toMatch(/^Not restricted/);
  await page.getByLabel("Your objection").fill("I object to receiving product notices.");
  await page.getByRole("button", { name: "Send objection" }).click();
  await page.waitForLoadState();
  expect(await page.textContent("main")).toContain("Objection received");
  expect(await page.getByTestId("request-objection").count()).toBe(1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(errors).toEqual([]);
  await context.close();
});

it("with a grace period, cancels the deletion through the emailed link and the account works again", async () => {
  // A second server of the same build, configured with a one-hour grace period.
  const port = await freePort();
  const server = await startServer({
    port,
    quiet: true,
    vars: { MASTER_KEY: "Z3JhY2UtbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nLSE=", DELETION_GRACE_HOURS: "1" },
  });
  const url = `http://localhost:${port}`;
  try {
    const { page, errors } = await openPage(browser());
    const email = `e2e-grace-${Date.now()}@example.com`;
    await page.goto(`${url}/signup`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel(/Password/).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL(`${url}/dashboard/keys`);
    await page.goto(`${url}/dashboard/privacy`);
    expect(await page.textContent("#delete-explained")).toContain("Erasure starts 1 hour later");
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel(/I understand/).check();
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect.poll(() => page.textContent("main")).toContain("until then you can cancel it");

    const res = await fetch(`${url}/dev/mailbox?format=json&to=${encodeURIComponent(email)}`);
    const { data } = (await res.json()) as { data: Notice[] };
    const notice = data.find((n) => n.kind === "deletion_requested")!;
    const link = notice.text.match(/https?:\/\/\S+\/confirm\?token=\S+/)![0];
    await page.goto(link);
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toBe("Cancel the deletion of your account");
    await page.getByRole("button", { name: "Cancel the deletion" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("The deletion is canceled");

    await page.goto(`${url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${url}/dashboard`);
    await page.goto(`${url}/dashboard/privacy`);
    expect(await page.getByTestId("request-deletion").textContent()).toContain("canceled");
    expect(errors).toEqual([]);
  } finally {
    await server.close();
  }
});

it("corrects the email address only once the link sent to the new address is used", async () => {
  const { page, errors } = await openPage(browser());
  const email = `e2e-rectify-${Date.now()}@example.com`;
  const newEmail = `e2e-rectified-${Date.now()}@example.com`;
  await signUpInBrowser(page, email);
  // Only a proven address can be changed (ADR 009).
  await verifyEmail(email, page);
  await page.goto(`${baseUrl}/dashboard/privacy`);
  await page.getByLabel("Name").fill("Ada Example");
  await page.getByLabel("Email", { exact: true }).fill(newEmail);
  // Changing the email is a sensitive change: it needs the current password (sudo mode).
  await page.getByLabel("Your password (only to change the email)").fill(PASSWORD);
  await page.getByRole("button", { name: "Save details" }).click();
  await expect
    .poll(() =>
      page
        .getByRole("status")
        .filter({ hasText: `changes to ${newEmail}` })
        .count(),
    )
    .toBe(1);
  await page.reload();
  expect(await page.getByLabel("Email", { exact: true }).inputValue()).toBe(email);
  expect(await page.getByLabel("Name").inputValue()).toBe("Ada Example");

  const link = (await noticeOf(newEmail, "email_change")).text.match(
    /https?:\/\/\S+\/confirm\?token=\S+/,
  )![0];
  await page.goto(link.replace(/^https?:\/\/[^/]+/, baseUrl));
  await page.getByRole("button", { name: "Use this email address" }).click();
  await expect
    .poll(() =>
      page
        .getByRole("status")
        .filter({ hasText: `now ${newEmail}` })
        .count(),
    )
    .toBe(1);
  await page.goto(`${baseUrl}/dashboard/privacy`);
  expect(await page.getByLabel("Email", { exact: true }).inputValue()).toBe(newEmail);
  expect(errors).toEqual([]);
});
