import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addCheckRollups } from "../factories/monitoring";
import { insertUsers } from "../factories/users";
import type { TestServer } from "../helpers/server";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { seriousViolations, signInAsAdmin, startPanelServer } from "./helpers/panel";

const enabled = e2eEnabled();
const SIGNED_OUT_PROBE = [/401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/me$/];
const HOUR = 3_600_000;

describe.skipIf(!enabled)("overview in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  let headOffice: string;

  beforeAll(async () => {
    server = await startPanelServer({ env: { JOBS_RUNNER: "false" } });
    browser = await launchBrowser();
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    headOffice = (await server.admin.post("/profiles", { name: "Head office" })).body.data.id;
    const branch = (await server.admin.post("/profiles", { name: "Branch offices" })).body.data.id;
    const common = { activeSince: iso(now - 30 * 24 * HOUR) };
    await insertUsers(server.ctx, headOffice, 40, {
      ...common,
      state: "active",
      lastSyncAt: iso(now - HOUR),
    });
    await insertUsers(server.ctx, headOffice, 3, {
      ...common,
      state: "active",
      prefix: "quiet",
      lastSyncAt: iso(now - 50 * HOUR),
    });
    await insertUsers(server.ctx, headOffice, 5, { state: "error", prefix: "broken" });
    await insertUsers(server.ctx, headOffice, 2, { state: "paused", prefix: "away" });
    await insertUsers(server.ctx, branch, 12, { state: "not-activated", domain: "branch.contoso.com" });
    await insertUsers(server.ctx, branch, 8, {
      ...common,
      state: "active",
      domain: "branch.contoso.com",
      prefix: "b",
      lastSyncAt: iso(now - HOUR),
    });
    for (let d = 0; d < 30; d++) {
      const at = iso(now - d * 24 * HOUR);
      await addCheckRollups(server.ctx, headOffice, at, 50, [0, 1, 0, 3, 5, 2, 0, 0, 4, 8][d % 10]);
      if (d % 3 === 0) await addCheckRollups(server.ctx, branch, at, 20, d % 2);
    }
    await server.admin.put(`/profiles/${headOffice}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: "svc-sync@contoso.com",
      password: "Service-Password-1",
      ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
    });
  }, 180_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`shows totals, trends and stalled counts that open the filtered users (${colorScheme})`, async () => {
      const watched = await openPage(browser, { colorScheme, ignoreErrors: SIGNED_OUT_PROBE });
      pages.push(watched);
      const { page } = watched;
      await signInAsAdmin(page, server.url);
      const totals = page.getByRole("list", { name: "Totals" });
      await totals.waitFor();
      await expect.poll(() => totals.innerText()).toMatch(/Stalled\s*3/);
      await page
        .getByRole("img", { name: /failures in the last 30 days/ })
        .first()
        .waitFor();
      await screenshot(page, `overview-${colorScheme}`);
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByRole("link", { name: "3 stalled in Head office" }).click();
      await page.getByRole("heading", { name: "Head office", level: 1 }).waitFor();
      await page
        .getByRole("row")
        .filter({ hasText: "quiet00000@contoso.com" })
        .getByText("Stalled")
        .waitFor();
      expect(await page.getByRole("checkbox", { name: "Stalled only" }).isChecked()).toBe(true);
      await expect.poll(() => page.getByRole("row").filter({ hasText: "@contoso.com" }).count()).toBe(3);
      // The pointer rests where the link was, over a row: axe judges the grid at rest, not hovered.
      await page.mouse.move(0, 0);
      await screenshot(page, `users-stalled-${colorScheme}`);
      expect(await seriousViolations(page)).toEqual([]);

      await page.goBack();
      await page.getByRole("link", { name: "5 error" }).click();
      await page.getByRole("row").filter({ hasText: "broken00000@contoso.com" }).waitFor();
      expect(watched.errors).toEqual([]);
    }, 120_000);
  }
});
