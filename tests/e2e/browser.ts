// A real Chromium (Debian's package) driven by playwright-core; any console error or page error fails the test.
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

async function launch(): Promise<Browser> {
  const { existsSync } = await import("node:fs");
  const executablePath = process.env.CHROMIUM_PATH ?? CHROMIUM_PATHS.find((p) => existsSync(p));
  if (!executablePath) throw new Error("Chromium not found: apt-get install -y chromium");
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-dev-shm-usage",
      "--disable-gpu",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--mute-audio",
    ],
  });
}

/** A fresh page that records console errors and uncaught exceptions. */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { page, errors };
}

/** One Chromium for the test file: launched before its tests, closed after. */
export function sharedBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

let axeSource: string | undefined;

/**
 * What is wrong with the page as shown: wider than the window (horizontal scroll), or any axe-core violation.
 * axe-core (pinned in package.json) is injected from its own source, after the page's scripts have run.
 */
export async function pageProblems(page: Page): Promise<string[]> {
  const { readFile } = await import("node:fs/promises");
  const { createRequire } = await import("node:module");
  axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const problems: string[] = [];
  const overflow = await page.evaluate(() => {
    // The deepest element reaching past the window names the cause ("td.mono …" rather than just a width).
    const wide = [...document.body.querySelectorAll("*")].filter(
      (e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.children.length === 0,
    );
    const culprit = wide[0];
    return {
      scrollWidth: document.scrollingElement!.scrollWidth,
      innerWidth: window.innerWidth,
      culprit: culprit
        ? `${culprit.tagName.toLowerCase()}${culprit.className ? `.${String(culprit.className).split(" ").join(".")}` : ""} "${(culprit.textContent ?? "").trim().slice(0, 40)}"`
        : "",
    };
  });
  if (overflow.scrollWidth > overflow.innerWidth) {
    problems.push(
      `horizontal overflow: ${overflow.scrollWidth}px wide in a ${overflow.innerWidth}px window${overflow.culprit ? ` (${overflow.culprit})` : ""}`,
    );
  }
  // The page's CSP allows only its own nonce'd scripts, so the source goes in through the DevTools protocol.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<AxeResults> } })
      .axe;
    type AxeResults = { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
    );
  });
  problems.push(...violations);
  return problems;
}
