// The operators' pages in a real browser without JavaScript: /admin opens on the promises section, a queue
// row leads to the request's page, and its re-send and deny forms work, with a plain error that keeps the text.
import { expect, it } from "vitest";
import { DESKTOP, sharedBrowser } from "./browser";
import { ownServer } from "./own-server";
import { proveAddress, signUp } from "./sign-up";

const browser = sharedBrowser();
const OPERATOR = "admin-e2e@example.com";

// A server of its own, with its own operator address.
const server = ownServer({
  MASTER_KEY: "YWRtaW4tZTJlLW1hc3Rlci1rZXktMzItYnl0ZXMtISE=",
  ADMIN_EMAILS: OPERATOR,
  // The second-factor gate has its own test (two-factor.test.ts).
  REQUIRE_2FA_FOR_OPERATORS: "false",
});

async function signUpVerified(email: string): Promise<string> {
  const { cookieHeader } = await signUp(server.url, email);
  await proveAddress(server.url, email, cookieHeader);
  return cookieHeader;
}

it("without JavaScript: promises first, then a request's page where re-send and deny work", async () => {
  const operatorCookie = await signUpVerified(OPERATOR);
  const holder = `e2e-holder-${Date.now()}@example.com`;
  await signUpVerified(holder);
  const recorded = await fetch(`${server.url}/api/admin/privacy/requests`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: operatorCookie, origin: server.url },
    body: JSON.stringify({ email: holder, type: "deletion", channel: "email", note: "asked by email" }),
  });
  expect(recorded.status).toBe(201);
  const { id } = (await recorded.json()) as { id: string };
  await server.runCron(); // the promise checks, so the promises section has results

  const context = await browser().newContext({ javaScriptEnabled: false, viewport: DESKTOP });
  const [name, value] = operatorCookie.split("=") as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  const errors: string[] = [];
  context.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin`);
  // The first section is the promises, with when the promise checks last ran.
  expect(await page.locator("main h2").first().textContent()).toMatch(/^Promises/);
  expect(await page.locator("section[aria-labelledby=promises]").textContent()).toMatch(
    /Promise checks last ran \d{4}-\d{2}-\d{2}/,
  );

  // Recording a request by the form: an error keeps what was typed; a success empties the form.
  await page.getByLabel("Sender's email").fill("someone@localhost");
  await page.getByLabel("Kind of request").selectOption("access");
  await page.getByLabel(/Note/).fill("asked on the phone");
  await page.getByRole("button", { name: "Record request" }).click();
  await expect
    .poll(() => page.locator(".field-error").first().textContent())
    .toBe("Enter the sender's email address.");
  expect(await page.getByLabel(/Note/).inputValue()).toBe("asked on the phone");
  expect(await page.getByLabel("Kind of request").inputValue()).toBe("access");
  await page.getByLabel("Sender's email").fill(holder);
  await page.getByRole("button", { name: "Record request" }).click();
  await expect.poll(() => page.getByRole("status").textContent()).toContain("Recorded.");
  expect(await page.getByLabel(/Note/).inputValue()).toBe("");
  expect(await page.getByLabel("Sender's email").inputValue()).toBe("");

  await page.getByRole("link", { name: `Account deletion ${id.slice(0, 8)}` }).click();
  await page.waitForURL(`${server.url}/admin/requests/${id}`);
  expect(await page.getByTestId("timeline").textContent()).toContain("received");

  const resends = async () =>
    (
      (await (
        await fetch(`${server.url}/dev/mailbox?format=json&to=${encodeURIComponent(holder)}`)
      ).json()) as {
        data: { kind: string }[];
      }
    ).data.filter((m) => m.kind === "request_confirmation").length;
  const before = await resends();
  await page.getByRole("button", { name: "Re-send the confirmation link" }).click();
  await expect.poll(() => page.getByRole("status").textContent()).toContain("Sent.");
  expect(await resends()).toBe(before + 1);

  // Too short once trimmed: the plain message beside the field, the text kept, nothing denied.
  const reason = page.getByLabel(/Reason for denying/);
  await reason.fill("  x ");
  await page.getByRole("button", { name: "Deny request" }).click();
  await expect.poll(() => page.locator(".field-error").textContent()).toMatch(/at least 3 characters/);
  expect(await page.getByLabel(/Reason for denying/).inputValue()).toBe("  x ");
  expect(await page.getByRole("button", { name: "Deny request" }).count()).toBe(1);

  await page.getByLabel(/Reason for denying/).fill("The sender could not be identified.");
  await page.getByRole("button", { name: "Deny request" }).click();
  await expect.poll(() => page.getByRole("status").textContent()).toContain("Denied.");
  expect(await page.getByTestId("timeline").textContent()).toContain(
    "denied: The sender could not be identified.",
  );
  expect(await page.getByRole("button", { name: "Deny request" }).count()).toBe(0);
  expect(await page.textContent("main")).not.toContain(holder);
  // The refused submission answered 400 (the browser logs that load); nothing else may be logged.
  expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
  await context.close();
});
