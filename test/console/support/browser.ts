import { expect } from "chai";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from "playwright-core";

/**
 * Headless Chromium (Debian's package, driven by playwright-core: Playwright's own browser
 * download cannot reach the internet here) and what every console test checks on its pages:
 * no error in the browser console, no serious or critical accessibility violation (axe-core),
 * and a screenshot per page under test-output/console/ (not committed).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = path.resolve(__dirname, "../../../test-output/console");

export async function launchBrowser(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/**
 * Every test page's browser settings. Reduced motion: a page checked for contrast while a message
 * still fades in reads as faint text (axe saw a half-transparent message title), and the console
 * turns Ant Design's animations off for users who ask for less motion (lib/reduced-motion.ts).
 */
export const CONTEXT = {
  viewport: { width: 1366, height: 768 },
  reducedMotion: "reduce",
} as const satisfies BrowserContextOptions;

/** A page of its own (a fresh session) that records the browser console's errors. */
export async function openPage(browser: Browser, url: string, locale = "en-GB"): Promise<ConsolePage> {
  const context = await browser.newContext({ ...CONTEXT, locale });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`${e.name}: ${e.message}`));
  await page.goto(url);
  return { page, errors, close: () => context.close() };
}

export interface ConsolePage {
  page: Page;
  /** Errors the browser console showed. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Signs in with the demo account `name` from the sign-in page's picker. Exactly that name: a
 * hospital's account ("City General Hospital") begins the names of its members.
 */
export async function signInAs(p: ConsolePage, name: string): Promise<void> {
  await p.page.getByRole("button", { name: `Sign in as ${name}`, exact: true }).click();
  await p.page.getByTestId("who").waitFor();
}

/** The page's serious and critical accessibility violations, by axe-core rule and target. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the gateway's Content-Security-Policy (rightly) refuses
  // inline scripts, and the test must not weaken it.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  // A string, run in the page: the tests are compiled without the DOM's types.
  const violations = (await page.evaluate(`axe
    .run(document, { resultTypes: ["violations"] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => String(n.target)) })))`)) as {
    id: string;
    impact: string | null;
    targets: string[];
  }[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.targets.join(", ")}`);
}

/** The checks every main page passes, and its screenshot (test-output/console/<name>.png). */
export async function checkPage(p: ConsolePage, name: string): Promise<void> {
  // A settled page: a button still working is drawn faint on purpose, which axe reads as text
  // too faint to read (seen on the stock page while its transfer was still being recorded).
  await p.page.locator(".ant-btn-loading").first().waitFor({ state: "detached" });
  mkdirSync(SCREENSHOTS, { recursive: true });
  await p.page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  expect(await accessibilityProblems(p.page), `accessibility of ${name}`).to.deep.equal([]);
  expect(p.errors, `browser console errors on ${name}`).to.deep.equal([]);
}

/**
 * Picks `option` in an Ant Design select and waits until the select shows it. Under a loaded
 * machine a click can land on the dropdown while it is still opening and choose nothing, so the
 * choice is made again (up to three times) until the select reads it.
 */
export async function chooseOption(page: Page, select: Locator, option: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await select.click();
    await page.locator(".ant-select-item-option", { hasText: option }).click();
    const chosen = select.locator("xpath=ancestor::div[contains(@class, 'ant-select')][1]");
    try {
      await chosen.getByText(option, { exact: true }).waitFor({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/**
 * Fails unless `element` ends within the screen's width: a row's buttons must be seen without
 * scrolling a wide table sideways (the tests' screen is a 1366-pixel laptop's).
 */
export async function expectOnScreen(element: Locator, what: string): Promise<void> {
  const box = await element.boundingBox();
  expect(box, `${what} is drawn`).to.not.equal(null);
  expect(box!.x + box!.width, `the right edge of ${what}`).to.be.at.most(CONTEXT.viewport.width);
}

/**
 * How many pixels of a table stick out of its box sideways, so that its last columns (a row's
 * buttons and links) are only reached by scrolling: 0 when it fits.
 */
export async function sidewaysOverflow(table: Locator): Promise<number> {
  return table.evaluate((t: unknown) => {
    // The box that scrolls: Ant Design's wrapper of the <table> (the tests' types have no DOM).
    const box = (t as { parentElement: { scrollWidth: number; clientWidth: number } }).parentElement;
    return box.scrollWidth - box.clientWidth;
  });
}
