import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../helpers/server";
import { startTestIdentityProvider, TEST_TENANT_ID, type TestIdentityProvider } from "../idp";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { seriousViolations, signInAsAdmin, startPanelServer } from "./helpers/panel";

const enabled = e2eEnabled();
const SIGNED_OUT_PROBE = /401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/me$/;

describe.skipIf(!enabled)("Settings > Install in Microsoft 365 in Chromium", () => {
  let idp: TestIdentityProvider;
  let server: TestServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    server = await startPanelServer({
      env: { ...idp.serverEnv(), APP_ID: randomUUID(), ENTRA_TENANT_ID: TEST_TENANT_ID },
    });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
    await idp?.close();
  });

  it.each(["light", "dark"] as const)(
    "shows the values in use, the setup check naming what to fix, and the script (%s)",
    async (colorScheme) => {
      const watched = await openPage(browser, { colorScheme, ignoreErrors: [SIGNED_OUT_PROBE] });
      pages.push(watched);
      const { page } = watched;
      await signInAsAdmin(page, server.url);
      await page.getByRole("navigation", { name: "Main" }).getByRole("tab", { name: "Settings" }).click();
      await page.getByRole("heading", { name: "Install in Microsoft 365" }).waitFor();
      const check = page.getByRole("list", { name: "Setup check" });
      // The test server is plain http on 127.0.0.1: the check says so, and what to do.
      await check.locator('[data-check="base-url-https"][data-status="failed"]').waitFor();
      await check.locator('[data-check="authority-discovery"][data-status="passed"]').waitFor();
      await check.locator('[data-check="entra-spa-redirects"][data-status="confirm"]').waitFor();
      expect(await check.locator('[data-check="base-url-https"]').innerText()).toContain(
        "Set BASE_URL to the public https URL",
      );
      const values = page.getByLabel("Values in use");
      expect(await values.innerText()).toContain(idp.serverEnv().ENTRA_CLIENT_ID);
      await expect
        .poll(() => page.getByLabel("Register the app (Microsoft Graph PowerShell)").innerText())
        .toContain("New-MgApplication");
      await page.getByRole("heading", { name: "Install in Microsoft 365" }).scrollIntoViewIfNeeded();
      await screenshot(page, `settings-install-${colorScheme}`);
      expect(await seriousViolations(page)).toEqual([]);
      expect(watched.errors).toEqual([]);
    },
    90_000,
  );
});
