import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from "../../helpers/server";

const root = path.resolve(import.meta.dirname, "../../..");
const builtIndex = path.join(root, "dist/client/index.html");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the panel with Vite when dist/client is missing or older than client/ and contract/ (as `npm start` does). */
export function ensurePanelBuilt(): void {
  const sources = ["client", "contract"].map((d) => path.join(root, d)).filter(existsSync);
  const stale =
    !existsSync(builtIndex) ||
    Math.max(...sources.map(newestMtime), statSync(path.join(root, "vite.config.ts")).mtimeMs) >
      statSync(builtIndex).mtimeMs;
  if (!stale) return;
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"],
    {
      cwd: root,
      stdio: "inherit",
      // Vitest sets NODE_ENV=test, which would give a development build: test what `npm start` serves.
      env: { ...process.env, NODE_ENV: "production" },
    },
  );
  if (result.status !== 0) throw new Error("vite build failed");
}

/**
 * Starts the real server on SQLite (in memory) serving the built panel; build it first if needed.
 * @example const server = await startPanelServer(); await page.goto(server.url);
 */
export async function startPanelServer(options: TestServerOptions = {}): Promise<TestServer> {
  ensurePanelBuilt();
  return startTestServer({ dialect: "sqlite", ...options });
}

/** Signs the local admin in through the panel's form and waits for the Profiles page. */
export async function signInAsAdmin(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Profiles", level: 1 }).waitFor();
}

/** The page's serious and critical axe violations, one readable line each (empty when there are none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Tabster's focus sentinels (`<i data-tabster-dummy aria-hidden tabindex=0>`, from Fluent's focus
  // management) hand focus on at once, so nobody lands on them; axe reads them as focusable hidden content.
  // Colours are read as painted: a toast or dialog still fading in (opacity below 1) reads as low contrast,
  // so running animations are let finish first (the fade is 0.2 to 0.3 s; infinite ones, e.g. spinners,
  // are left alone).
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const result = await new AxeBuilder({ page }).exclude("[data-tabster-dummy]").analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => `${n.target.join(" ")} ${n.html.slice(0, 160)}`)
          .slice(0, 3)
          .join(", ")}`,
    );
}
