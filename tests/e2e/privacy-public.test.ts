// The public privacy pages in a real browser, with and without JavaScript: /privacy/verify says a real
// receipt from a completed deletion is valid and a one-character tamper is not (with why); /privacy/promises
// shows every promise with its status and last run after the cron's promise checks, and no customer data.
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DESKTOP, PHONE, pageProblems, sharedBrowser } from "./browser";
import { ownServer } from "./own-server";
import { PASSWORD, signUp } from "./sign-up";

const browser = sharedBrowser();
// A server of its own: the test runs the cron (the promise checks) when it needs to.
const server = ownServer(
  {
    MASTER_KEY: "cHJpdmFjeS1wdWJsaWMtbWFzdGVyLWtleS0zMmJ5dGU=",
    RECEIPT_SIGNING_KEY: "cHJpdmFjeS1wdWJsaWMtcmVjZWlwdC1rZXktMzJieXQ=",
  },
  "localhost",
);

type Notice = { kind: string; text: string };
async function noticeOf(email: string, kind: string): Promise<Notice> {
  const find = async () => {
    const res = await fetch(`${server.url}/dev/mailbox?format=json&to=${encodeURIComponent(email)}`);
    return ((await res.json()) as { data: Notice[] }).data.find((n) => n.kind === kind);
  };
  await expect.poll(async () => Boolean(await find()), { timeout: 30_000 }).toBe(true);
  return (await find())!;
}

/** Signs up, asks for deletion with the password, and returns the compact JWS the completion notice carries. */
async function completedDeletion(): Promise<{ email: string; accountId: string; jws: string }> {
  const email = `e2e-receipt-${Date.now()}@example.com`;
  const { accountId, cookieHeader: cookie } = await signUp(server.url, email);
  const asked = await fetch(`${server.url}/api/privacy/requests`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: server.url },
    body: JSON.stringify({ type: "deletion", password: PASSWORD }),
  });
  expect(asked.status).toBe(202);
  await asked.arrayBuffer();
  const notice = await noticeOf(email, "deletion_completed");
  const jws = notice.text.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/m)![0];
  return { email, accountId, jws };
}

/** One character of the signature changed (to another base64url character that is not the same bits). */
function tamper(jws: string): string {
  const [h, p, s] = jws.split(".") as [string, string, string];
  const i = Math.floor(s.length / 2);
  const swapped = s[i] === "A" ? "B" : "A";
  return `${h}.${p}.${s.slice(0, i)}${swapped}${s.slice(i + 1)}`;
}

async function verifyIn(b: Browser, javaScriptEnabled: boolean, receipt: string) {
  const context = await b.newContext({ javaScriptEnabled, viewport: DESKTOP });
  const errors: string[] = [];
  context.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/privacy/verify`);
  await page.getByLabel(/Paste the signed receipt/).fill(receipt);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("heading", { level: 2, name: /valid/i }).waitFor();
  const result = {
    heading: await page.getByRole("heading", { level: 2, name: /valid/i }).textContent(),
    reason: await page.getByRole("status").textContent(),
    main: (await page.textContent("main")) ?? "",
    kept: await page.getByLabel(/Paste the signed receipt/).inputValue(),
    // axe-core is injected as a script: only into a page that runs scripts.
    problems: javaScriptEnabled ? await pageProblems(page) : [],
    errors,
  };
  await context.close();
  return result;
}

describe("the public privacy pages", () => {
  it("/privacy/verify: a real receipt is valid, one changed character is not and says why — with and without JavaScript", async () => {
    const { jws, email } = await completedDeletion();
    for (const javaScriptEnabled of [false, true]) {
      const valid = await verifyIn(browser(), javaScriptEnabled, jws);
      expect(valid.heading, `js ${javaScriptEnabled}`).toBe("Valid");
      expect(valid.reason).toMatch(/^Valid: signed by this service's key [\w-]+, published at/);
      // The readable version: what was erased, and no email address.
      expect(valid.main).toContain("erased");
      expect(valid.main).not.toContain(email);
      expect(valid.kept).toBe(jws);
      expect(valid.problems).toEqual([]);
      expect(valid.errors).toEqual([]);

      const tampered = await verifyIn(browser(), javaScriptEnabled, tamper(jws));
      expect(tampered.heading).toBe("Not valid");
      expect(tampered.reason).toMatch(/signature does not match key [\w-]+: the receipt was altered/);
      expect(tampered.kept).toBe(tamper(jws));
      expect(tampered.problems).toEqual([]);
      expect(tampered.errors).toEqual([]);
    }
  });

  it("/privacy/verify: an uploaded receipt file is checked too, without JavaScript", async () => {
    const { jws } = await completedDeletion();
    const context = await browser().newContext({ javaScriptEnabled: false, viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${server.url}/privacy/verify`);
    await page.getByLabel(/upload the receipt file/).setInputFiles({
      name: "receipt.jws",
      mimeType: "text/plain",
      buffer: Buffer.from(`${jws}\n`),
    });
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("heading", { level: 2, name: /valid/i }).waitFor();
    expect(await page.getByRole("heading", { level: 2, name: /valid/i }).textContent()).toBe("Valid");
    // Nothing chosen or pasted: a plain message, not an error page.
    await page.goto(`${server.url}/privacy/verify`);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("Paste a receipt or choose its file.");
    await context.close();
  });

  it("/privacy/promises: every promise with its status and last run after the promise checks, and no customer data", async () => {
    const { email, accountId } = await completedDeletion();
    const before = (await (await fetch(`${server.url}/api/privacy/promises`)).json()) as {
      promises: { lastRunAt: string | null }[];
    };
    expect(before.promises.every((p) => p.lastRunAt === null)).toBe(true);
    await server.runCron();
    const json = await (await fetch(`${server.url}/api/privacy/promises`)).text();
    expect(json).not.toContain(email);
    expect(json).not.toContain(accountId);
    const report = JSON.parse(json) as {
      promises: {
        id: string;
        status: string;
        lastRunAt: string | null;
        checks: { id: string; status: string }[];
      }[];
    };
    expect(report.promises.map((p) => p.id)).toEqual(Array.from({ length: 12 }, (_, i) => `P${i + 1}`));
    expect(report.promises.every((p) => p.lastRunAt !== null)).toBe(true);
    // The local server records its lifecycle rules as the deploy does, so P5's lifecycle check is kept here.
    const lifecycle = report.promises.flatMap((p) => p.checks).find((c) => c.id === "p5.lifecycle_rules");
    expect(lifecycle?.status).toBe("kept");

    for (const viewport of [PHONE, DESKTOP]) {
      const context = await browser().newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${server.url}/privacy/promises`);
      for (const p of report.promises) {
        const section = page.locator(`section#${p.id}`);
        const text = (await section.textContent()) ?? "";
        expect(text, p.id).toMatch(/Kept|At risk|Broken/);
        expect(text, p.id).toMatch(/last run \d/);
        expect(text, p.id).not.toContain("last run —");
      }
      const main = (await page.textContent("main")) ?? "";
      expect(main).not.toContain(email);
      expect(main).not.toContain(accountId);
      expect(await pageProblems(page)).toEqual([]);
      await context.close();
    }
  });
});
