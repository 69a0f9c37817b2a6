import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../../server/ews-simulator";
import type { TestServer } from "../helpers/server";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { seriousViolations, signInAsAdmin, startPanelServer } from "./helpers/panel";

/** Before sign-in the panel asks GET /auth/me; 401 is how the server says "nobody is signed in". */
const SIGNED_OUT_PROBE = [/401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/me$/];

/** Two profiles on the Exchange simulator whose checks failed for several causes. */
async function seed(server: TestServer, sim: ExchangeSimulator): Promise<string> {
  const { admin } = server;
  const access = {
    type: "ews-basic-impersonation",
    accountLogon: DEMO.serviceAccount.logon,
    password: DEMO.serviceAccount.password,
    ewsUrl: sim.ewsUrl,
  };
  const profiles: Record<string, string[]> = {
    Sales: [DEMO.alias, "jdoe@contoso.com", DEMO.noMailboxAddress, DEMO.blockedUser, DEMO.ewsDisabledUser],
    Support: ["nobody.support@contoso.com", DEMO.movingUser, "ada.adams@contoso.com"],
  };
  let sales = "";
  for (const [name, addresses] of Object.entries(profiles)) {
    const id = (await admin.post("/profiles", { name })).body.data.id as string;
    if (name === "Sales") sales = id;
    await admin.put(`/profiles/${id}/mailbox-access`, access);
    await admin.post(`/profiles/${id}/users`, { text: addresses.join("\n") });
    const users = (await admin.get(`/profiles/${id}/users`)).body.data as { id: string }[];
    const res = await admin.post(`/profiles/${id}/checks`, { userIds: users.map((u) => u.id) });
    if (res.status !== 200) throw new Error(`check failed: ${res.text}`);
  }
  return sales;
}

const openProblemsPage = async (page: Page) => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("tab", { name: "Problems" }).click();
  await page.getByRole("heading", { name: "Problems", level: 1 }).waitFor();
  await page.getByText("failing, in").waitFor();
};

describe.skipIf(!e2eEnabled())("Problems in the panel (Chromium)", () => {
  let server: TestServer;
  let sim: ExchangeSimulator;
  let browser: Browser;
  let sales: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 10 }) });
    server = await startPanelServer({ env: { EWS_ALLOWED_HOSTS: "127.0.0.1" } });
    sales = await seed(server, sim);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
    await sim?.close();
  });

  it("groups failures across profiles, and fixes a profile's aliases with one confirmed action (light)", async () => {
    const watched = await openPage(browser, { ignoreErrors: SIGNED_OUT_PROBE });
    pages.push(watched);
    const { page } = watched;
    await signInAsAdmin(page, server.url);

    await openProblemsPage(page);
    const missing = page.getByRole("button", { name: /Mailbox missing/ });
    await missing.waitFor();
    // The largest group is open: the missing mailboxes of both profiles, a link to each filtered user list.
    await page.getByRole("link", { name: "Sales: 1 user" }).waitFor();
    await page.getByRole("link", { name: "Support: 2 users" }).waitFor();
    await screenshot(page, "problems-all-light");
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(`${server.url}/profiles/${sales}/problems`);
    const alias = page.getByRole("button", { name: /Address is an alias/ });
    await alias.waitFor();
    await page.getByRole("cell", { name: "jdoe@contoso.com" }).first().waitFor();
    // The impersonation group names the service account in its PowerShell.
    await page.getByRole("button", { name: /Impersonation scope/ }).click();
    await page.getByText(`-User "${DEMO.serviceAccount.logon}"`, { exact: false }).first().waitFor();
    await screenshot(page, "problems-profile-light");
    expect(await seriousViolations(page)).toEqual([]);

    await page
      .getByRole("group", { name: "Address is an alias" })
      .getByRole("button", { name: "Replace with primary address" })
      .click();
    const dialog = page.getByRole("alertdialog", { name: /Replace with primary address/ });
    await dialog.getByText("already enrolled are skipped").waitFor();
    await screenshot(page, "problems-replace-confirm-light");
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Replace with primary address" }).click();
    await page.getByText("1 user skipped").waitFor();
    await page.getByText(`${DEMO.user.address} is already enrolled`, { exact: false }).waitFor();
    await page.getByText(/Re-check done: 1 of 1 checked, 1 passed/).waitFor({ timeout: 30_000 });
    await screenshot(page, "problems-replaced-light");
    expect(await seriousViolations(page)).toEqual([]);

    // "All users in the user list" opens the Users tab filtered by the cause.
    await page.getByRole("button", { name: /Mailbox missing/ }).click();
    await page
      .getByRole("group", { name: "Mailbox missing" })
      .getByRole("link", { name: "All 1 user in the user list" })
      .click();
    await page.getByRole("tab", { name: "Users", selected: true }).waitFor();
    await page.getByRole("row").filter({ hasText: DEMO.noMailboxAddress }).waitFor();
    expect(await page.getByRole("row").filter({ hasText: DEMO.blockedUser }).count()).toBe(0);
    expect(await page.getByRole("combobox", { name: "Filter by problem cause" }).textContent()).toContain(
      "Mailbox missing",
    );
  }, 120_000);

  it("shows the same in dark mode", async () => {
    const watched = await openPage(browser, { colorScheme: "dark", ignoreErrors: SIGNED_OUT_PROBE });
    pages.push(watched);
    const { page } = watched;
    await signInAsAdmin(page, server.url);
    await openProblemsPage(page);
    await screenshot(page, "problems-all-dark");
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${server.url}/profiles/${sales}/problems`);
    await page.getByRole("button", { name: /EWS blocked/ }).click();
    await page
      .getByRole("group", { name: "EWS blocked" })
      .getByRole("button", { name: "Check again" })
      .click();
    const dialog = page.getByRole("alertdialog", { name: /Check again/ });
    await dialog.waitFor();
    await screenshot(page, "problems-recheck-confirm-dark");
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Check again" }).click();
    await page
      .getByText(/Re-check done/)
      .first()
      .waitFor({ timeout: 30_000 });
    await screenshot(page, "problems-profile-dark");
    expect(await seriousViolations(page)).toEqual([]);
  }, 120_000);
});
