import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, type TestServer } from "../helpers/server";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { startPanelServer, signInAsAdmin, seriousViolations } from "./helpers/panel";
import { startHostHarness, type HostHarness } from "./host-harness/server";

const enabled = e2eEnabled();

/**
 * Before sign-in the panel asks GET /auth/me, and 401 is how the server says "nobody is signed in";
 * Chromium logs every 4xx response to the console, so that one answer is expected.
 */
const SIGNED_OUT_PROBE = [/401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/me$/];

/** This test server has no APP_ID, so the app package download is refused (409) on purpose. */
const APP_PACKAGE_REFUSED = /409 \(Conflict\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/app-package$/;

/** teams-js fetches its list of host origins from Microsoft's CDN; the CSP and the test both refuse it, and teams-js falls back to its built-in list. */
const TEAMS_CDN_NOISE = [
  ...SIGNED_OUT_PROBE,
  /res\.cdn\.office\.net|valid origins|Content Security Policy.*connect-src/i,
];

/** Axe violations that are serious or critical, as readable lines. */

const gridRow = (page: Page, address: string) => page.getByRole("row").filter({ hasText: address });

describe.skipIf(!enabled)("admin panel in Chromium", () => {
  let server: TestServer;
  let harness: HostHarness;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    harness = await startHostHarness();
    server = await startPanelServer({ env: { EXTRA_FRAME_ANCESTORS: harness.origin } });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
    await harness?.close();
  });

  it("signs in, creates a profile, adds 500 users, searches, filters, pauses and opens a user", async () => {
    const watched = await openPage(browser, { ignoreErrors: [...SIGNED_OUT_PROBE, APP_PACKAGE_REFUSED] });
    pages.push(watched);
    const { page } = watched;

    await page.goto(server.url);
    await page.getByRole("heading", { name: "Sign in to Mailbox Sync Admin" }).waitFor();
    await screenshot(page, "signin-light");
    expect(await seriousViolations(page)).toEqual([]);
    await signInAsAdmin(page, server.url);

    await page.getByRole("button", { name: "Create profile" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Create profile" });
    await dialog.getByLabel("Name").fill("Head office");
    await dialog.getByLabel("Description").fill("Exchange 2019 in Frankfurt");
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: "Head office", level: 1 }).waitFor();
    await page.getByText("No users in this profile yet").waitFor();
    await screenshot(page, "users-empty-light");

    const lines = Array.from(
      { length: 500 },
      (_, i) => `user${String(i + 1).padStart(3, "0")}@contoso.com, User ${String(i + 1).padStart(3, "0")}`,
    );
    await page.getByRole("button", { name: "Add users" }).first().click();
    const addDialog = page.getByRole("dialog", { name: "Add users" });
    await addDialog
      .getByLabel("Addresses")
      .fill([...lines, "not-an-address", "user001@contoso.com"].join("\n"));
    await addDialog.getByRole("button", { name: "Add 502 users" }).click();
    await addDialog.getByText("500 added").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await expect.poll(() => addDialog.getByText(/Line 501/).count()).toBeGreaterThan(0);
    await screenshot(page, "add-users-result-light");
    await addDialog.getByRole("button", { name: "Done" }).click();

    await gridRow(page, "user001@contoso.com").waitFor();
    await page.getByText("500 users", { exact: true }).first().waitFor();
    await screenshot(page, "users-light");
    expect(await seriousViolations(page)).toEqual([]);

    // Scrolling to the end loads the following pages by cursor.
    const body = page.locator('[role="rowgroup"]').last();
    for (let i = 0; i < 12 && (await gridRow(page, "user500@contoso.com").count()) === 0; i++) {
      await body
        .locator("div")
        .first()
        .evaluate((el) => el.scrollBy(0, 10_000))
        .catch(() => {});
      await page.mouse.move(600, 600);
      await page.mouse.wheel(0, 6000);
      await page.waitForTimeout(200);
    }
    await gridRow(page, "user500@contoso.com").waitFor();

    await page.getByRole("searchbox", { name: "Search users" }).fill("user25");
    await gridRow(page, "user259@contoso.com").waitFor();
    await expect.poll(() => gridRow(page, "user001@contoso.com").count()).toBe(0);
    await expect.poll(() => page.getByRole("row").filter({ hasText: "@contoso.com" }).count()).toBe(10);
    await page.getByRole("searchbox", { name: "Search users" }).fill("");
    await gridRow(page, "user001@contoso.com").waitFor();

    await page.getByRole("combobox", { name: "Filter by state" }).click();
    await page.getByRole("option", { name: "Paused" }).click();
    await page.getByText("No users match").waitFor();
    await page.getByRole("combobox", { name: "Filter by state" }).click();
    await page.getByRole("option", { name: "All states" }).click();

    for (const address of ["user001@contoso.com", "user002@contoso.com", "user003@contoso.com"]) {
      await page.getByRole("checkbox", { name: `Select ${address}` }).check();
    }
    await page.getByText("3 selected").waitFor();
    await page.getByRole("button", { name: "Pause", exact: true }).click();
    await page.getByText("Paused 3 users").first().waitFor();

    await page.getByRole("combobox", { name: "Filter by state" }).click();
    await page.getByRole("option", { name: "Paused" }).click();
    await expect.poll(() => page.getByRole("row").filter({ hasText: "@contoso.com" }).count()).toBe(3);

    // Export CSV goes through fetch (cookie or bearer) and is saved as a blob.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = await readFile(await download.path(), "utf8");
    expect(csv.split(/\r?\n/).filter(Boolean)).toHaveLength(501);
    expect(csv).toMatch(/user002@contoso\.com,User 002,paused/);

    await page.getByRole("button", { name: "user002@contoso.com", exact: true }).click();
    const drawer = page.getByRole("dialog", { name: "user002@contoso.com" });
    await drawer.getByText("Check history").waitFor();
    await drawer.getByText("Paused", { exact: true }).waitFor();
    await screenshot(page, "user-drawer-light");
    expect(await seriousViolations(page)).toEqual([]);
    await drawer.getByRole("button", { name: "Close" }).click();
    await drawer.waitFor({ state: "hidden" });

    // The same by keyboard: focus the address, Enter opens the drawer, Escape closes it.
    await page.getByRole("button", { name: "user003@contoso.com", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "user003@contoso.com" }).getByText("Check history").waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "user003@contoso.com" }).waitFor({ state: "hidden" });

    await page.getByRole("tab", { name: "General" }).click();
    await page
      .getByText("Users by state")
      .waitFor({ timeout: 10_000 })
      .catch(async (err: unknown) => {
        await screenshot(page, "failure-general-tab");
        throw err;
      });
    await screenshot(page, "profile-general-light");
    await page.getByRole("navigation", { name: "Main" }).getByRole("tab", { name: "Profiles" }).click();
    await page.getByRole("link", { name: "Head office", exact: true }).waitFor();
    await screenshot(page, "profiles-light");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("navigation", { name: "Main" }).getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Local admins" }).waitFor();
    // This server has no APP_ID: the card says what the configuration lacks.
    await page.getByRole("button", { name: "Download app package" }).click();
    await page.getByText("Couldn't build the app package").waitFor();
    await screenshot(page, "settings-light");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: `Account: ${ADMIN_EMAIL}` }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Mailbox Sync Admin" }).waitFor();

    expect(watched.errors).toEqual([]);
  }, 120_000);

  it("renders every page in dark mode without console errors or serious axe violations", async () => {
    const watched = await openPage(browser, { colorScheme: "dark", ignoreErrors: SIGNED_OUT_PROBE });
    pages.push(watched);
    const { page } = watched;
    await page.goto(server.url);
    await page.getByRole("heading", { name: "Sign in to Mailbox Sync Admin" }).waitFor();
    await screenshot(page, "signin-dark");
    await signInAsAdmin(page, server.url);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("web-dark");
    await page.getByRole("link", { name: "Head office", exact: true }).waitFor();
    await screenshot(page, "profiles-dark");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("link", { name: "Head office", exact: true }).click();
    await page.getByText("Users by state").waitFor();
    await screenshot(page, "profile-general-dark");
    await page.getByRole("tab", { name: "Users" }).click();
    await gridRow(page, "user001@contoso.com").waitFor();
    await screenshot(page, "users-dark");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "user001@contoso.com", exact: true }).click();
    await page.getByRole("dialog", { name: "user001@contoso.com" }).getByText("Check history").waitFor();
    await screenshot(page, "user-drawer-dark");
    await page.keyboard.press("Escape");
    await page.getByRole("navigation", { name: "Main" }).getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Local admins" }).waitFor();
    await screenshot(page, "settings-dark");
    expect(await seriousViolations(page)).toEqual([]);
    expect(watched.errors).toEqual([]);
  }, 90_000);

  it("follows the Teams theme inside a fake Teams host, and switches live", async () => {
    const watched = await openPage(browser, { ignoreErrors: TEAMS_CDN_NOISE });
    pages.push(watched);
    const { page } = watched;
    await signInAsAdmin(page, server.url);
    await page.goto(harness.pageUrl(`${server.url}/`, { theme: "dark" }));
    const frame = page.frameLocator("iframe#app");
    const appTheme = () => frame.locator("html").getAttribute("data-theme");
    await expect.poll(appTheme, { timeout: 10_000 }).toBe("teams-dark");
    await frame.getByRole("heading", { name: "Profiles", level: 1 }).waitFor();
    await screenshot(page, "teams-host-dark");

    await page.evaluate(() =>
      (window as unknown as { setHostTheme(t: string): void }).setHostTheme("contrast"),
    );
    await expect.poll(appTheme).toBe("teams-contrast");
    await screenshot(page, "teams-host-contrast");

    await page.evaluate(() =>
      (window as unknown as { setHostTheme(t: string): void }).setHostTheme("default"),
    );
    await expect.poll(appTheme).toBe("teams-light");
    expect(await frame.locator("[data-host]").first().getAttribute("data-host")).toBe("Teams");
    await screenshot(page, "teams-host-light");
    expect(watched.errors).toEqual([]);
  }, 60_000);
});
