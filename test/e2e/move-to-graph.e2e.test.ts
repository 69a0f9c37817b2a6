import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import {
  APPS,
  IN_SCOPE,
  OUT_OF_SCOPE,
  startAppOnlyStack,
  TEST_TENANT_ID,
  type AppOnlyStack,
} from "../app-only-helpers";
import { insertMailboxAccess } from "../factories/mailbox-access";
import { type TestServer } from "../helpers/server";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { seriousViolations, signInAsAdmin, startPanelServer } from "./helpers/panel";
import { finishedJob } from "../helpers/job-events";

const SIGNED_OUT_PROBE = [/401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/me$/];
const ON_PREMISES = "alex.vance@contoso.com";

describe.skipIf(!e2eEnabled())("Move to Graph in the Connectivity tab, in Chromium", () => {
  let stack: AppOnlyStack;
  let server: TestServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  const card = (page: Page) => page.locator('[aria-labelledby="move-to-graph-title"]');
  const open = async (scheme: "light" | "dark") => {
    const watched = await openPage(browser, { colorScheme: scheme, ignoreErrors: SIGNED_OUT_PROBE });
    pages.push(watched);
    onTestFailed(async () => {
      await screenshot(watched.page, `move-to-graph-failure-${scheme}`);
      console.log("console errors:", watched.errors);
    });
    await signInAsAdmin(watched.page, server.url);
    return watched;
  };
  const toConnectivity = async (page: Page) => {
    await page.getByRole("link", { name: "Contoso EWS", exact: true }).click();
    await page.getByRole("tab", { name: "Connectivity" }).click();
    await card(page).waitFor();
  };
  const startDryRun = async (page: Page) => {
    const c = card(page);
    await page.waitForLoadState("networkidle");
    await expect.poll(() => c.getByLabel("Tenant ID").inputValue()).toBe(TEST_TENANT_ID);
    await c.getByLabel("Client secret", { exact: true }).fill(APPS.scopedSecret.secret);
    await c.getByLabel("Out-of-scope mailbox").fill(OUT_OF_SCOPE[0]);
    await c.getByRole("checkbox", { name: /archive mailboxes/ }).check();
    await c.getByRole("button", { name: "Start dry run" }).click();
    await c
      .getByRole("button", { name: "Apply…" })
      .and(page.locator(":enabled"))
      .waitFor({ timeout: 60_000 });
  };

  beforeAll(async () => {
    stack = await startAppOnlyStack();
    const tenant = stack.sim.tenant;
    stack.sim.setTenant({
      ...tenant,
      mailboxes: tenant.mailboxes.map((m) =>
        m.primarySmtpAddress === ON_PREMISES ? { ...m, onPremises: true } : m,
      ),
    });
    server = await startPanelServer({ env: stack.env });
    const profile = await server.admin.post("/profiles", {
      name: "Contoso EWS",
      description: "EWS app-only (simulator)",
    });
    const id = profile.body.data.id as string;
    await server.admin.post(`/profiles/${id}/users`, { text: [...IN_SCOPE, OUT_OF_SCOPE[1]].join("\n") });
    await server.admin.put(`/profiles/${id}/mailbox-access`, {
      type: "ews-app-only",
      tenantId: TEST_TENANT_ID,
      clientId: APPS.scopedSecret.clientId,
      clientSecret: APPS.scopedSecret.secret,
      ewsUrl: stack.sim.ewsUrl,
    });
    const job = await server.admin.post(`/profiles/${id}/jobs`, { kind: "activate-profile" });
    await finishedJob(server.admin, job.body.data.id);
    // A profile on EWS in Exchange Online (written directly: saving it would look the host up in DNS).
    const online = (await server.admin.post("/profiles", { name: "Contoso Online (EWS)" })).body.data
      .id as string;
    await insertMailboxAccess(server.ctx, online, {
      type: "ews-app-only",
      settings: {
        tenantId: TEST_TENANT_ID,
        clientId: randomUUID(),
        signInWith: "secret",
        cert: null,
        servicePrincipalObjectId: null,
        scopeGroup: null,
        ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
      },
      sealedSecret: server.ctx.sealer.seal(JSON.stringify({ clientSecret: "x".repeat(20) }), online),
      updatedBy: "admin@example.com",
    });
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
    await stack?.close();
  });

  it("shows the EWS deadline in the list, runs a dry run, applies and rolls back (light)", async () => {
    const { page, errors } = await open("light");
    const row = page.getByRole("row", { name: /Contoso Online \(EWS\)/ });
    await row.getByText(/EWS ends in \d+ days/).waitFor();
    await expect(row.getByRole("link", { name: "Move to Graph" }).count()).resolves.toBe(1);
    // The simulator's EWS is not Exchange Online: no deadline there.
    await expect(
      page
        .getByRole("row", { name: /Contoso EWS/ })
        .getByText(/EWS ends in/)
        .count(),
    ).resolves.toBe(0);
    await screenshot(page, "move-to-graph-profiles-light");

    await toConnectivity(page);
    await card(page).scrollIntoViewIfNeeded();
    await screenshot(page, "move-to-graph-form-light");
    await startDryRun(page);
    const c = card(page);
    const tiles = c.getByRole("list", { name: "Users by result" });
    await expect.poll(() => tiles.innerText()).toMatch(/3\s*Pass[\s\S]*1\s*Fail[\s\S]*1\s*On-premises/);
    await c.getByText(`${OUT_OF_SCOPE[0]} is refused`).waitFor();
    await c.getByText("Not in Graph v1.0").first().waitFor();
    await c.getByRole("button", { name: "Copy PowerShell" }).waitFor();
    await c.getByRole("list", { name: "Users by result" }).scrollIntoViewIfNeeded();
    await screenshot(page, "move-to-graph-dry-run-light");
    expect(await seriousViolations(page)).toEqual([]);

    await c.getByRole("button", { name: "Apply…" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Move this profile to Graph?" });
    await dialog.getByText(/2 user\(s\) did not pass the dry run/).waitFor();
    await screenshot(page, "move-to-graph-apply-confirm-light");
    await dialog.getByRole("button", { name: "Apply" }).click();
    await c.getByText(/On Graph since/).waitFor();
    await c.getByText(/days left/).waitFor();
    await expect
      .poll(
        async () =>
          (await server.admin.get(`/profiles/${await profileIdOf("Contoso EWS")}/mailbox-access`)).body.data
            .type,
      )
      .toBe("graph-app-only");
    await c
      .getByText(/recheck: failed/)
      .first()
      .waitFor({ timeout: 30_000 });
    await screenshot(page, "move-to-graph-applied-light");

    await c.getByRole("button", { name: "Roll back to EWS…" }).click();
    const back = page.getByRole("alertdialog", { name: "Roll back to EWS?" });
    await back.getByText(/Possible until/).waitFor();
    await back.getByRole("button", { name: "Roll back" }).click();
    await c.getByRole("button", { name: "Start dry run" }).waitFor();
    expect(
      (await server.admin.get(`/profiles/${await profileIdOf("Contoso EWS")}/mailbox-access`)).body.data.type,
    ).toBe("ews-app-only");
    expect(errors).toEqual([]);
  }, 180_000);

  it("runs a dry run by keyboard in dark mode", async () => {
    const { page, errors } = await open("dark");
    await page
      .getByRole("row", { name: /Contoso Online \(EWS\)/ })
      .getByText(/EWS ends in/)
      .waitFor();
    await screenshot(page, "move-to-graph-profiles-dark");
    await toConnectivity(page);
    const c = card(page);
    await expect.poll(() => c.getByLabel("Tenant ID").inputValue()).toBe(TEST_TENANT_ID);
    await c.getByLabel("Client secret", { exact: true }).fill(APPS.scopedSecret.secret);
    await c.getByLabel("Out-of-scope mailbox").fill(OUT_OF_SCOPE[0]);
    // Tab reaches the checkboxes (Space ticks one) and the submit button; Enter submits.
    await c.getByLabel("Out-of-scope mailbox").press("Tab");
    await page.keyboard.press("Space");
    await expect(c.getByRole("checkbox", { name: /archive mailboxes/ }).isChecked()).resolves.toBe(true);
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? "");
    for (let i = 0; i < 6 && (await focused()) !== "Start dry run"; i++) await page.keyboard.press("Tab");
    expect(await focused()).toBe("Start dry run");
    await c.getByLabel("Out-of-scope mailbox").scrollIntoViewIfNeeded();
    await screenshot(page, "move-to-graph-form-dark");
    await page.keyboard.press("Enter");
    await c
      .getByRole("button", { name: "Apply…" })
      .and(page.locator(":enabled"))
      .waitFor({ timeout: 60_000 });
    await c.getByRole("list", { name: "Users by result" }).scrollIntoViewIfNeeded();
    await screenshot(page, "move-to-graph-dry-run-dark");
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  async function profileIdOf(name: string): Promise<string> {
    const list = (await server.admin.get("/profiles")).body.data as { id: string; name: string }[];
    return list.find((p) => p.name === name)!.id;
  }
});
