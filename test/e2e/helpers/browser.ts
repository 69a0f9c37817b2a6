import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Where Chromium is on these machines (and in CI after `.ci/run` installs it). */
export const CHROMIUM_PATH = "/usr/bin/chromium";
/** Screenshots land here (git-ignored). */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "../../../test-output/screenshots");

/**
 * Whether the browser suite runs: always with E2E=1 (then a missing Chromium fails the run), else
 * only when Chromium is installed. Prints why when it skips.
 */
export function e2eEnabled(): boolean {
  if (process.env.E2E === "1") return true;
  if (existsSync(CHROMIUM_PATH)) return true;
  console.log(`E2E tests skipped: ${CHROMIUM_PATH} is missing and E2E is not 1.`);
  return false;
}

/** Launches headless Chromium with the flags that work in these containers. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`E2E=1 but Chromium is missing at ${CHROMIUM_PATH}`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/** A page plus the console errors and failed requests it produced. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
}

/** Options of openPage. */
export interface OpenPageOptions {
  colorScheme?: "light" | "dark";
  viewport?: { width: number; height: number };
  /** Console messages matching these are expected (and not counted as errors). */
  ignoreErrors?: RegExp[];
}

/**
 * Opens a page in a fresh context that may only talk to 127.0.0.1 (everything else is aborted, so no
 * test depends on the network), collecting console errors.
 */
export async function openPage(browser: Browser, options: OpenPageOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? "light",
    viewport: options.viewport ?? { width: 1366, height: 860 },
    reducedMotion: "reduce",
    acceptDownloads: true,
  });
  await context.route(
    (url) => url.hostname !== "127.0.0.1",
    (route) => route.abort("blockedbyclient"),
  );
  const page = await context.newPage();
  const errors: string[] = [];
  const ignored = (text: string) => (options.ignoreErrors ?? []).some((re) => re.test(text));
  page.on("console", (msg) => {
    const line = `console: ${msg.text()} @ ${msg.location().url}`;
    if (msg.type() === "error" && !ignored(line)) errors.push(line);
  });
  page.on("pageerror", (err) => {
    if (!ignored(err.message)) errors.push(`pageerror: ${err.message}`);
  });
  return { context, page, errors };
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
