// A business owner in a real browser: connect a WhatsApp number, watch a simulated conversation get answered,
// and see a signed notification from "Meta" show up as metadata — with no console errors.
import { createHmac } from "node:crypto";
import { expect, inject, it } from "vitest";
import { openPage, sharedBrowser } from "./browser";
import { proveAddress } from "./sign-up";

const baseUrl = inject("baseUrl");
const browser = sharedBrowser();

it("connects a number, answers a simulated customer and shows the message metadata", async () => {
  const { page, errors } = await openPage(browser());
  const email = `e2e-wa-${Date.now()}@example.com`;
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/Password/).fill("a long enough password");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/dashboard/);
  // Only a proven address connects WhatsApp (ADR 009): the link, posted from this browser's session.
  const cookie = (await page.context().cookies(baseUrl)).map((c) => `${c.name}=${c.value}`).join("; ");
  await proveAddress(baseUrl, email, cookie);

  await page.goto(`${baseUrl}/dashboard/whatsapp`, { waitUntil: "networkidle" });
  const phoneNumberId = String(100_000_000 + Math.floor(Math.random() * 1e8));
  const appSecret = "e2e0123456789abcdef0123456789ab";
  await page.getByLabel("Phone number id").fill(phoneNumberId);
  await page.getByLabel("WhatsApp Business Account id").fill("102290129340398");
  await page.getByLabel("Access token").fill("EAAGe2etokene2etokene2etoken");
  await page.getByLabel("App secret").fill(appSecret);
  await page.getByLabel("Model").selectOption("dev/echo");
  await page.getByLabel("System prompt").fill("You are the assistant of a bakery.");
  // Connecting is a sensitive change: the account's password goes with it (sudo mode).
  await page.getByLabel("Your current password").fill("a long enough password");
  await page.getByRole("button", { name: "Connect" }).click();
  await expect.poll(() => page.getByTestId("whatsapp-status").textContent()).toContain(phoneNumberId);

  await page.getByLabel("Customer's message").fill("Do you have sourdough today?");
  await page.getByRole("button", { name: "Send as customer" }).click();
  await expect
    .poll(() => page.getByTestId("simulated").textContent())
    .toContain("You said: Do you have sourdough");

  // What Meta would send, signed with the app secret: acknowledged, answered, listed without content.
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "1",
        changes: [
          {
            field: "messages",
            value: {
              metadata: { phone_number_id: phoneNumberId },
              messages: [
                {
                  from: "15557654321",
                  id: `wamid.e2e-${Date.now()}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: "text",
                  text: { body: "secret-words-e2e" },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  const res = await fetch(`${baseUrl}/webhooks/whatsapp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`,
    },
    body,
  });
  expect(res.status).toBe(200);
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByText("replied").count();
      },
      { timeout: 10_000 },
    )
    .toBe(2);
  const table = (await page.locator("table").textContent()) ?? "";
  expect(table).not.toContain("secret-words-e2e");
  expect(table).not.toContain("15557654321");
  expect(errors).toEqual([]);

  // A second number, added on a 390 px phone without JavaScript: both are listed, the page never scrolls sideways.
  const phone = await browser().newContext({
    viewport: { width: 390, height: 844 },
    javaScriptEnabled: false,
  });
  await phone.addCookies(await page.context().cookies(baseUrl));
  const small = await phone.newPage();
  await small.goto(`${baseUrl}/dashboard/whatsapp?number=new`);
  const second = String(200_000_000 + Math.floor(Math.random() * 1e8));
  await small.getByLabel("Phone number id").fill(second);
  await small.getByLabel("WhatsApp Business Account id").fill("102290129340398");
  await small.getByLabel("Access token").fill("EAAGe2etokene2etokene2etoken2");
  await small.getByLabel("App secret").fill("e2e0123456789abcdef0123456789cd");
  await small.getByLabel("Model").selectOption("dev/echo");
  await small.getByLabel("Your current password", { exact: true }).fill("a long enough password");
  await small.getByRole("button", { name: "Connect" }).click();
  await small.goto(`${baseUrl}/dashboard/whatsapp`);
  const listed = (await small.getByTestId("whatsapp-number").allTextContents()).join(" ");
  expect(listed).toContain(phoneNumberId);
  expect(listed).toContain(second);
  expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // The customer asks for a person: the inbox lists them; a reply and "resume" work as plain forms at 390 px.
  const handOff = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "1",
        changes: [
          {
            field: "messages",
            value: {
              metadata: { phone_number_id: phoneNumberId },
              messages: [
                {
                  from: "15557654321",
                  id: `wamid.e2e-human-${Date.now()}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: "text",
                  text: { body: "HUMAN" },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  const handed = await fetch(`${baseUrl}/webhooks/whatsapp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${createHmac("sha256", appSecret).update(handOff).digest("hex")}`,
    },
    body: handOff,
  });
  expect(handed.status).toBe(200);
  await expect
    .poll(
      async () => {
        await small.goto(`${baseUrl}/dashboard/whatsapp/inbox`);
        return small.getByTestId("inbox-entry").count();
      },
      { timeout: 10_000 },
    )
    .toBe(1);
  expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await small.getByLabel("Your reply").fill("A person here: how can I help?");
  await small.getByRole("button", { name: "Send reply" }).click();
  await expect.poll(() => small.getByRole("status").textContent()).toContain("Reply sent");
  await small.getByRole("button", { name: "Resume the assistant" }).click();
  await expect.poll(() => small.getByRole("status").textContent()).toContain("answers conversation");
  await small.goto(`${baseUrl}/dashboard/whatsapp/inbox`);
  expect(await small.getByTestId("inbox-empty").count()).toBe(1);

  // The customer asks the business for their data, then for its erasure: plain forms at 390 px.
  await small.goto(`${baseUrl}/dashboard/whatsapp`);
  await small.getByTestId("contacts-link").getByRole("link", { name: "Contact data" }).click();
  await small.getByLabel("Customer's phone number").fill("+1 555 765-4321");
  await small.getByRole("button", { name: "Look up" }).click();
  const counts = (await small.getByTestId("contact-counts").textContent()) ?? "";
  expect(counts).toMatch(/WhatsApp message records: [1-9]/);
  expect(await small.content()).not.toContain("secret-words-e2e"); // content logging is off
  expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await small.getByLabel("Your current password (to erase)").fill("a long enough password");
  await small.getByRole("button", { name: "Erase everything held for this contact" }).click();
  expect(await small.getByTestId("contact-receipt").getByRole("status").textContent()).toContain("Erased");
  expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await phone.close();
});
