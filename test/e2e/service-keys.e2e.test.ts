import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertMailboxAccess } from "../factories/mailbox-access";
import { nowIso } from "../factories/store";
import { setProfileUsersState } from "../factories/users";
import { ApiClient, type TestServer } from "../helpers/server";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { startPanelServer, signInAsAdmin, seriousViolations } from "./helpers/panel";

/** Before sign-in the panel asks GET /auth/me; 401 is how the server says "nobody is signed in". */
const SIGNED_OUT_PROBE = [/401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/me$/];
const ACTIVE = "ada@contoso.com";
const FAILING = "grace@contoso.com";

/** Axe violations that are serious or critical (Tabster's focus sentinels excluded, as in panel.e2e). */

const openSettings = async (page: Page) => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("tab", { name: "Settings" }).click();
  await page.getByRole("heading", { name: "Sync service keys" }).waitFor();
};

const openUsers = async (page: Page) => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("tab", { name: "Profiles" }).click();
  await page.getByRole("link", { name: "Sales", exact: true }).click();
  await page.getByRole("tab", { name: "Users" }).click();
  await page.getByRole("row").filter({ hasText: ACTIVE }).waitFor();
};

describe.skipIf(!e2eEnabled())("sync service keys in the panel (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPanelServer();
    await seedProfile(server);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
  });

  it("creates a key in Settings, the sync service uses it, revoking it in the UI refuses it (light)", async () => {
    const watched = await openPage(browser, { ignoreErrors: SIGNED_OUT_PROBE });
    pages.push(watched);
    const { page } = watched;
    await signInAsAdmin(page, server.url);
    await openSettings(page);
    await page.getByText("No service keys yet").waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // By keyboard: the empty state's button opens the dialog.
    await page.getByRole("button", { name: "Create key" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Create service key" });
    await dialog.getByLabel("Name").fill("CRM sync (production)");
    await expect.poll(() => dialog.getByRole("checkbox", { name: "Read the roster" }).isChecked()).toBe(true);
    await screenshot(page, "settings-service-keys-create-light");
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Create key" }).click();

    const shown = page.getByRole("alertdialog", { name: "Copy the key for “CRM sync (production)”" });
    await shown.getByText("You won't see this key again").waitFor();
    const key = await shown.getByLabel("Service key").inputValue();
    expect(key).toMatch(/^msk_/);
    await shown.getByText("GET /api/v1/sync/mailboxes").waitFor();
    await screenshot(page, "settings-service-keys-created-light");
    expect(await seriousViolations(page)).toEqual([]);
    await shown.getByRole("button", { name: "I've copied it, close" }).click();
    await shown.waitFor({ state: "hidden" });

    // The sync service, holding only the key.
    const roster = await fetch(`${server.url}/api/v1/sync/mailboxes`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(roster.status).toBe(200);
    const addresses = ((await roster.json()) as { data: { address: string }[] }).data.map((m) => m.address);
    expect(addresses).toContain(ACTIVE);
    await reportSessions(server, key);

    const list = page.getByRole("list", { name: "Service keys" });
    await list.getByText("CRM sync (production)").waitFor();
    expect(await page.content()).not.toContain(key);
    await page.reload();
    await list.getByText(/Last used (just now|1 minute ago)/).waitFor();
    await screenshot(page, "settings-service-keys-light");

    await page.getByRole("button", { name: "Revoke CRM sync (production)" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Revoke CRM sync (production)?" });
    await screenshot(page, "settings-service-keys-revoke-light");
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await confirm.waitFor({ state: "hidden" });
    await list.getByText("Revoked", { exact: true }).waitFor();
    await expect
      .poll(() => page.getByRole("button", { name: "Revoke CRM sync (production)" }).count())
      .toBe(0);
    await screenshot(page, "settings-service-keys-revoked-light");

    const refused = await fetch(`${server.url}/api/v1/sync/mailboxes`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(refused.status).toBe(401);

    // What the reports did: the grid and the drawer.
    await openUsers(page);
    const failingRow = page.getByRole("row").filter({ hasText: FAILING });
    await expect
      .poll(() => page.getByRole("row").filter({ hasText: ACTIVE }).textContent())
      .toMatch(/minutes? ago|just now/);
    await expect
      .poll(() => page.getByRole("row").filter({ hasText: "bob@contoso.com" }).textContent())
      .toContain("Never");
    await failingRow.getByRole("img").hover();
    await page
      .getByRole("tooltip")
      .getByText(/CrmWriteFailed/)
      .waitFor();
    await screenshot(page, "users-last-synced-light");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: FAILING, exact: true }).click();
    const drawer = page.getByRole("dialog", { name: FAILING });
    await drawer.getByText("The latest sync reported an error").waitFor();
    await drawer
      .getByRole("list", { name: "Sync sessions, newest first" })
      .getByText("1 error · 40 in · 2 out")
      .first()
      .waitFor();
    await screenshot(page, "user-drawer-sync-light");
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");

    // Three failed sessions in a row raised the profile's alert.
    await page.getByRole("navigation", { name: "Main" }).getByRole("tab", { name: "Profiles" }).click();
    await page.getByText("Sync failing").waitFor();
    await screenshot(page, "profiles-sync-failing-light");
    expect(watched.errors).toEqual([]);
  }, 120_000);

  it("shows the same in dark mode", async () => {
    const watched = await openPage(browser, { colorScheme: "dark", ignoreErrors: SIGNED_OUT_PROBE });
    pages.push(watched);
    const { page } = watched;
    await signInAsAdmin(page, server.url);
    await openSettings(page);
    await page.getByRole("list", { name: "Service keys" }).getByText("Revoked", { exact: true }).waitFor();
    await screenshot(page, "settings-service-keys-dark");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Create key" }).click();
    const dialog = page.getByRole("dialog", { name: "Create service key" });
    await dialog.getByLabel("Name").fill("Reports only");
    await dialog.getByRole("checkbox", { name: "Read the roster" }).uncheck();
    await dialog.getByRole("checkbox", { name: "Read mailboxes through the EWS gateway" }).uncheck();
    await dialog.getByRole("combobox", { name: "Profiles" }).click();
    await page.getByRole("option", { name: "Sales" }).click();
    await screenshot(page, "settings-service-keys-create-dark");
    await dialog.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByRole("alertdialog");
    await shown.getByText("POST /api/v1/sync/mailboxes/{address}/reports").waitFor();
    expect(await shown.getByText("GET /api/v1/sync/mailboxes").count()).toBe(0);
    await screenshot(page, "settings-service-keys-created-dark");
    expect(await seriousViolations(page)).toEqual([]);
    await shown.getByRole("button", { name: "I've copied it, close" }).click();
    await page.getByRole("list", { name: "Service keys" }).getByText("Reports only").waitFor();

    await openUsers(page);
    await page.getByRole("button", { name: FAILING, exact: true }).click();
    await page.getByRole("dialog", { name: FAILING }).getByText("Sync sessions", { exact: true }).waitFor();
    await screenshot(page, "user-drawer-sync-dark");
    expect(await seriousViolations(page)).toEqual([]);
    expect(watched.errors).toEqual([]);
  }, 90_000);
});

/** Profile "Sales" with two active mailboxes and one never synced (activation is another suite's subject). */
async function seedProfile(server: TestServer): Promise<void> {
  const { admin } = server;
  const profileId = (await admin.post("/profiles", { name: "Sales" })).body.data.id as string;
  expect(
    (
      await admin.post(`/profiles/${profileId}/users`, {
        text: [ACTIVE, FAILING, "bob@contoso.com"].join("\n"),
      })
    ).status,
  ).toBe(200);
  const now = nowIso();
  await insertMailboxAccess(server.ctx, profileId, { type: "ews-basic-impersonation" });
  await setProfileUsersState(server.ctx, profileId, { state: "active", lastCheckedAt: now });
}

/** The sync service reports: one good session for ACTIVE, three failing ones in a row for FAILING. */
async function reportSessions(server: TestServer, key: string): Promise<void> {
  const sync = new ApiClient(server.url, { authorization: `Bearer ${key}` });
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  const report = async (
    address: string,
    finishedMinutesAgo: number,
    errors: { code: string; message: string }[],
  ) => {
    const res = await sync.post(`/sync/mailboxes/${address}/reports`, {
      startedAt: ago(finishedMinutesAgo + 2),
      finishedAt: ago(finishedMinutesAgo),
      itemsIn: 40,
      itemsOut: 2,
      errors,
    });
    expect(res.status).toBe(201);
  };
  await report(ACTIVE, 4, []);
  await report(FAILING, 180, []);
  for (const minutes of [120, 60, 7]) {
    await report(FAILING, minutes, [
      { code: "CrmWriteFailed", message: "A calendar item could not be written to the CRM." },
    ]);
  }
}
