import AxeBuilder from "@axe-core/playwright";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import {
  APPS,
  IN_SCOPE,
  OUT_OF_SCOPE,
  startAppOnlyStack,
  TEST_TENANT_ID,
  type AppOnlyStack,
} from "../app-only-helpers";
import { type TestServer } from "../helpers/server";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { startPanelServer, signInAsAdmin } from "./helpers/panel";

const SIGNED_OUT_PROBE = [/401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/me$/];

describe.skipIf(!e2eEnabled())("App-only (Graph) in the Connectivity tab, in Chromium", () => {
  let stack: AppOnlyStack;
  let server: TestServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    stack = await startAppOnlyStack();
    server = await startPanelServer({ env: stack.env });
    const profile = await server.admin.post("/profiles", {
      name: "Contoso Online",
      description: "Exchange Online (simulator)",
    });
    await server.admin.post(`/profiles/${profile.body.data.id}/users`, {
      text: [...IN_SCOPE, ...OUT_OF_SCOPE].join("\n"),
    });
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
    await stack?.close();
  });

  it("guides the choice, saves the app with a certificate, shows the PowerShell and passes the connectivity test", async () => {
    const watched = await openPage(browser, { ignoreErrors: SIGNED_OUT_PROBE });
    pages.push(watched);
    const { page } = watched;
    onTestFailed(async () => {
      await screenshot(page, "app-only-failure");
      console.log("console errors:", watched.errors);
    });
    await signInAsAdmin(page, server.url);
    await page.getByRole("link", { name: "Contoso Online", exact: true }).click();
    await page.getByRole("tab", { name: "Connectivity" }).click();

    await page.getByRole("button", { name: "Which access type fits my Exchange?" }).click();
    await page.getByText(/Exchange Online: Microsoft 365 app-only \(Graph API\)/).waitFor();
    await screenshot(page, "app-only-guide-light");

    await page.getByRole("combobox", { name: "Mailbox Access Type" }).click();
    await page.getByRole("option", { name: /Microsoft 365 app-only \(Graph API\)/ }).click();
    await page.getByLabel(/^Tenant ID/).fill(TEST_TENANT_ID);
    await page.getByLabel(/^Application \(client\) ID/).fill(APPS.scopedCertificate.clientId);
    // Upload the PEM file (read in the browser, sent on Save).
    await page.locator('input[type="file"]').setInputFiles({
      name: "app.pem",
      mimeType: "application/x-pem-file",
      buffer: Buffer.from(stack.certificate.pem),
    });
    await expect
      .poll(() => page.getByLabel(/^Certificate \(PEM with private key\)/).inputValue())
      .toContain("BEGIN CERTIFICATE");
    await page.getByLabel(/^Scope group/).fill("sync-users@contoso.com");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/^Certificate [0-9A-F]{40}, expires/).waitFor();

    const script = page.getByLabel("PowerShell to scope the app");
    await script.waitFor();
    expect(await script.textContent()).toContain(
      `New-ManagementRoleAssignment -App "${APPS.scopedCertificate.clientId}" -Role "Application Mail.ReadWrite"`,
    );
    expect(await script.textContent()).toContain('Get-DistributionGroup "sync-users@contoso.com"');
    await screenshot(page, "app-only-graph-saved-light");

    await page.getByRole("combobox", { name: "Target user" }).pressSequentially("adele");
    await page.getByRole("option", { name: /adele\.vance@contoso\.com/ }).click();
    await page.getByRole("button", { name: "Test connectivity" }).click();
    await page.getByText(/Connectivity test passed/).waitFor({ timeout: 30_000 });
    const steps = page.getByRole("list", { name: "Connectivity test steps" });
    await expect.poll(() => steps.getByRole("img", { name: "Failed" }).count()).toBe(0);
    await steps
      .getByText(/roles claim|No mailbox permission in the token/)
      .first()
      .waitFor();
    await screenshot(page, "app-only-graph-test-passed-light");

    const axe = await new AxeBuilder({ page }).exclude("[data-tabster-dummy]").analyze();
    expect(
      axe.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    ).toEqual([]);
    expect(watched.errors).toEqual([]);
  }, 120_000);
});
