import type { Browser, FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertMailboxAccess } from "../factories/mailbox-access";
import { profileByName, setProfileAlert } from "../factories/profiles";
import { nowIso } from "../factories/store";
import { setUserStateByAddress } from "../factories/users";
import { ApiClient, type TestServer } from "../helpers/server";
import {
  startTestIdentityProvider,
  TEST_ACCOUNTS,
  type TestAccount,
  type TestIdentityProvider,
} from "../idp";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { startPanelServer } from "./helpers/panel";
import { startHostHarness, type HostHarness } from "./host-harness/server";

/**
 * Expected noise, filtered by URL: requests to Microsoft's CDN are aborted in tests (teams-js asks
 * res.cdn.office.net for its host list; the task pane asks appsforoffice.microsoft.com for Office.js).
 */
const BLOCKED_CDN = [/@ https:\/\/res\.cdn\.office\.net\//, /@ https:\/\/appsforoffice\.microsoft\.com\//];
const PANE = { width: 320, height: 720 };

describe.skipIf(!e2eEnabled())("sync-status view in Chromium at 320 px", () => {
  let idp: TestIdentityProvider;
  let harness: HostHarness;
  let server: TestServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  /** When the mailboxes were seeded: a slow run shows the same times minutes later. */
  let seededAt: number;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    harness = await startHostHarness();
    server = await startPanelServer({ env: { ...idp.serverEnv(), EXTRA_FRAME_ANCESTORS: harness.origin } });
    seededAt = await seedMailboxes(server);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
    await harness?.close();
    await idp?.close();
  });

  /**
   * Opens /status?host=tab inside the fake Teams host as `account`: the harness answers teams-js's
   * authentication.getAuthToken with a test-provider token for that account, as Teams SSO does.
   */
  const openInTeams = async (
    account: TestAccount,
    theme: "default" | "dark" | "contrast",
  ): Promise<{ watched: WatchedPage; frame: FrameLocator }> => {
    const watched = await openPage(browser, {
      viewport: PANE,
      colorScheme: theme === "dark" ? "dark" : "light",
      ignoreErrors: BLOCKED_CDN,
    });
    pages.push(watched);
    const token = await idp.issueToken(account);
    await watched.page.addInitScript(
      ({ harnessOrigin, hostToken }) => {
        if (location.origin !== harnessOrigin) return;
        window.addEventListener("message", (event) => {
          const msg = event.data as { func?: string; id?: number; uuidAsString?: string };
          if (msg?.func !== "authentication.getAuthToken") return;
          (event.source as Window).postMessage(
            { id: msg.id, uuidAsString: msg.uuidAsString, args: [true, hostToken] },
            event.origin,
          );
        });
      },
      { harnessOrigin: harness.origin, hostToken: token },
    );
    await watched.page.goto(harness.pageUrl(`${server.url}/status?host=tab`, { theme }));
    return { watched, frame: watched.page.frameLocator("iframe#app") };
  };

  /** Waits for the state heading and checks the view fits the pane without sideways scrolling. */
  const expectState = async (page: Page, frame: FrameLocator, label: string) => {
    await frame.getByRole("heading", { level: 1, name: label }).waitFor({ timeout: 20_000 });
    const appFrame = page.frames().find((f) => f.url().startsWith(`${server.url}/status`))!;
    const overflow = await appFrame.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  };

  const backgroundOf = (page: Page) =>
    page
      .frames()
      .find((f) => f.url().startsWith(`${server.url}/status`))!
      .evaluate(() => getComputedStyle(document.querySelector("main")!).backgroundColor);

  for (const theme of ["default", "dark"] as const) {
    const mode = theme === "default" ? "light" : "dark";

    it(`shows an active user with a sync report: state, profile, access, last synced (${mode})`, async () => {
      const { watched, frame } = await openInTeams(TEST_ACCOUNTS.activeUser, theme);
      await expectState(watched.page, frame, "Active");
      await expect
        .poll(() => frame.getByTestId("last-synced").textContent())
        .toMatch(minutesAgo(seededAt, 4));
      await frame.getByText("Nothing to do: your mailbox is connected and syncing.").waitFor();
      await frame.getByText("Sales").waitFor();
      await frame.getByText("Exchange (EWS), service account with impersonation").waitFor();
      // Last check just now; next check in ~30 minutes (the monitor's default interval).
      await frame.getByText(minutesAhead(seededAt, 30)).waitFor();
      const bg = await backgroundOf(watched.page);
      expect(mode === "dark" ? bg !== "rgb(255, 255, 255)" : bg === "rgb(255, 255, 255)").toBe(true);
      await screenshot(watched.page, `status-active-${mode}`);
      expect(watched.errors).toEqual([]);
    }, 60_000);

    it(`shows an error user the message, what to do and the sync errors (${mode})`, async () => {
      const { watched, frame } = await openInTeams(TEST_ACCOUNTS.errorUser, theme);
      await expectState(watched.page, frame, "Error");
      await frame.getByRole("heading", { name: "What went wrong" }).waitFor();
      await frame
        .getByText("The account does not have permission to impersonate the requested user.")
        .waitFor();
      await frame.getByText(/Nothing needed from you: .*admin needs to fix the problem below/).waitFor();
      expect(await frame.getByTestId("admins-alerted").count()).toBe(0);
      await frame.getByRole("heading", { name: "Sync errors in the last session" }).waitFor();
      await frame.getByText("A calendar item could not be written to the CRM.").waitFor();
      await expect.poll(() => frame.getByTestId("last-synced").textContent()).toBe("2 hours ago");
      await screenshot(watched.page, `status-error-${mode}`);
      expect(watched.errors).toEqual([]);
    }, 60_000);

    it(`tells a not-enrolled user why and whom to contact (${mode})`, async () => {
      const { watched, frame } = await openInTeams(TEST_ACCOUNTS.notEnrolledUser, theme);
      await expectState(watched.page, frame, "Not enrolled");
      await frame.getByText(/Your mailbox is not set up for sync/).waitFor();
      await frame.getByRole("heading", { name: "Whom to contact" }).waitFor();
      await frame.getByText("admin@contoso.com").waitFor();
      await screenshot(watched.page, `status-not-enrolled-${mode}`);
      expect(watched.errors).toEqual([]);
    }, 60_000);
  }

  it("follows the host's theme live and says the admin was alerted once the profile has an alert (high contrast)", async () => {
    const profileId = (await profileByName(server.ctx, "Sales")).id;
    await setProfileAlert(server.ctx, profileId, {
      kind: "failure-share",
      message: "60% failed",
      since: nowIso(),
    });
    try {
      const { watched, frame } = await openInTeams(TEST_ACCOUNTS.errorUser, "default");
      await expectState(watched.page, frame, "Error");
      await frame.getByText(/Nothing needed from you: .*admin needs to fix the problem below\.$/).waitFor();
      await frame.getByText("Your admins were alerted about a problem in your group (profile).").waitFor();
      const light = await backgroundOf(watched.page);
      await watched.page.evaluate(() =>
        (window as unknown as { setHostTheme(t: string): void }).setHostTheme("contrast"),
      );
      await expect.poll(() => backgroundOf(watched.page)).not.toBe(light);
      expect(await backgroundOf(watched.page)).toBe("rgb(0, 0, 0)");
      await screenshot(watched.page, "status-error-alerted-contrast");
      expect(watched.errors).toEqual([]);
    } finally {
      await setProfileAlert(server.ctx, profileId, null);
    }
  }, 60_000);

  it("refreshes when the window regains focus", async () => {
    const { watched, frame } = await openInTeams(TEST_ACCOUNTS.pausedUser, "default");
    await expectState(watched.page, frame, "Paused");
    await setUserStateByAddress(server.ctx, TEST_ACCOUNTS.pausedUser.upn, { state: "active" });
    try {
      const appFrame = watched.page.frames().find((f) => f.url().startsWith(`${server.url}/status`))!;
      await appFrame.evaluate(() => window.dispatchEvent(new Event("focus")));
      await expectState(watched.page, frame, "Active");
    } finally {
      await setUserStateByAddress(server.ctx, TEST_ACCOUNTS.pausedUser.upn, { state: "paused" });
    }
    expect(watched.errors).toEqual([]);
  }, 60_000);

  it("in the Outlook task pane (?host=outlook), says clearly when Office.js can't be loaded", async () => {
    const watched = await openPage(browser, { viewport: PANE, ignoreErrors: BLOCKED_CDN });
    pages.push(watched);
    const officeRequests: string[] = [];
    watched.page.on("request", (req) => {
      if (req.url().includes("appsforoffice.microsoft.com")) officeRequests.push(req.url());
    });
    await watched.page.goto(`${server.url}/status?host=outlook`);
    await watched.page
      .getByRole("heading", { level: 1, name: "Can't connect to Outlook" })
      .waitFor({ timeout: 20_000 });
    await watched.page
      .getByText(
        /need Office\.js from Microsoft \(appsforoffice\.microsoft\.com\), and it could not be loaded/,
      )
      .waitFor();
    await watched.page.getByRole("button", { name: "Try again" }).waitFor();
    expect(
      await watched.page.getByRole("link", { name: "open it in a new window" }).getAttribute("href"),
    ).toBe("/status");
    expect(officeRequests).toEqual(["https://appsforoffice.microsoft.com/lib/1/hosted/office.js"]);
    await screenshot(watched.page, "status-outlook-office-unavailable");
    expect(watched.errors).toEqual([]);
  }, 60_000);

  it("in the task pane with a stand-in for Office.js, signs in with Office.auth.getAccessToken after Office.onReady", async () => {
    const watched = await openPage(browser, {
      viewport: PANE,
      colorScheme: "dark",
      ignoreErrors: BLOCKED_CDN,
    });
    pages.push(watched);
    const token = await idp.issueToken(TEST_ACCOUNTS.activeUser);
    // Real Office.js can't run outside Outlook: this stand-in offers what the view uses (no NAA, Office SSO, a dark theme).
    const standIn = `window.Office = {
      onReady: () => Promise.resolve({ host: "Outlook", platform: "OfficeOnline" }),
      context: { requirements: { isSetSupported: () => false }, officeTheme: { bodyBackgroundColor: "#1f1f1f" }, mailbox: { userProfile: { emailAddress: "ada.active@contoso.test" } } },
      auth: { getAccessToken: (options) => { window.officeSsoCalls = (window.officeSsoCalls || 0) + 1; return Promise.resolve(${JSON.stringify(token)}); } },
    };`;
    await watched.context.route("https://appsforoffice.microsoft.com/lib/1/hosted/office.js", (route) =>
      route.fulfill({ contentType: "text/javascript", body: standIn }),
    );
    await watched.page.goto(`${server.url}/status?host=outlook`);
    await watched.page.getByRole("heading", { level: 1, name: "Active" }).waitFor({ timeout: 20_000 });
    await watched.page.getByText(minutesAgo(seededAt, 4)).waitFor();
    expect(
      await watched.page.evaluate(() => (window as unknown as { officeSsoCalls: number }).officeSsoCalls),
    ).toBeGreaterThanOrEqual(1);
    expect(await watched.page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await screenshot(watched.page, "status-outlook-pane-active-dark");
    expect(watched.errors).toEqual([]);
  }, 60_000);

  it("loads Office.js only in the task pane, and offers Sign in in a plain browser", async () => {
    const watched = await openPage(browser, { viewport: PANE, ignoreErrors: BLOCKED_CDN });
    pages.push(watched);
    const cdnRequests: string[] = [];
    watched.page.on("request", (req) => {
      if (!req.url().startsWith(server.url)) cdnRequests.push(req.url());
    });
    await watched.page.goto(`${server.url}/status`);
    await watched.page.getByRole("button", { name: "Sign in" }).waitFor({ timeout: 20_000 });
    expect(cdnRequests).toEqual([]);
    await screenshot(watched.page, "status-browser-sign-in");
    expect(watched.errors).toEqual([]);
  }, 60_000);
});

/**
 * Profile "Sales" (basic impersonation) with the active, error and paused test users; the sync
 * service reports sessions through its own API with a service key, as it does in production.
 */
async function seedMailboxes(server: TestServer): Promise<number> {
  const { admin } = server;
  const profileId = (await admin.post("/profiles", { name: "Sales" })).body.data.id as string;
  const accounts = [TEST_ACCOUNTS.activeUser, TEST_ACCOUNTS.errorUser, TEST_ACCOUNTS.pausedUser];
  expect(
    (await admin.post(`/profiles/${profileId}/users`, { text: accounts.map((a) => a.upn).join("\n") }))
      .status,
  ).toBe(200);
  const now = nowIso();
  await insertMailboxAccess(server.ctx, profileId, { type: "ews-basic-impersonation" });
  const set = (account: TestAccount, values: Record<string, string | null>) =>
    setUserStateByAddress(server.ctx, account.upn, values);
  await set(TEST_ACCOUNTS.activeUser, { state: "active", lastCheckedAt: now });
  await set(TEST_ACCOUNTS.errorUser, {
    state: "error",
    lastCheckedAt: now,
    lastError: JSON.stringify({
      code: "ErrorImpersonateUserDenied",
      message: "The account does not have permission to impersonate the requested user.",
      remediation: "Grant the ApplicationImpersonation role to the service account.",
    }),
  });
  await set(TEST_ACCOUNTS.pausedUser, { state: "paused", lastCheckedAt: now });

  const created = await admin.post("/service-keys", { name: "CRM sync", scopes: ["reports:write"] });
  expect(created.status).toBe(201);
  const sync = new ApiClient(server.url, { authorization: `Bearer ${created.body.data.key as string}` });
  const ago = (minutes: number) => new Date(Date.parse(now) - minutes * 60_000).toISOString();
  const report = async (
    account: TestAccount,
    finishedMinutesAgo: number,
    errors: { code: string; message: string }[],
  ) => {
    const res = await sync.post(`/sync/mailboxes/${account.upn}/reports`, {
      startedAt: ago(finishedMinutesAgo + 1),
      finishedAt: ago(finishedMinutesAgo),
      itemsIn: 12,
      itemsOut: 3,
      errors,
    });
    expect(res.status).toBe(201);
  };
  await report(TEST_ACCOUNTS.activeUser, 4, []);
  await report(TEST_ACCOUNTS.errorUser, 120, [
    { code: "CrmWriteFailed", message: "A calendar item could not be written to the CRM." },
  ]);
  return Date.parse(now);
}

/**
 * What the view shows now (whole minutes, cut toward zero) for a time `minutes` before `at`: the minute
 * may turn between this reading and the view's.
 * @example minutesAgo(seededAt, 4) // /^(4|5) minutes ago$/ a few seconds after seeding
 */
function minutesAgo(at: number, minutes: number): RegExp {
  const m = minutes + Math.trunc((Date.now() - at) / 60_000);
  return new RegExp(`^(${m}|${m + 1}) minutes ago$`);
}

/** The same for a time `minutes` after `at` ("in 30 minutes"), which only comes nearer. */
function minutesAhead(at: number, minutes: number): RegExp {
  const m = Math.trunc((at + minutes * 60_000 - Date.now()) / 60_000);
  return new RegExp(`^in (${m - 1}|${m}) minutes$`);
}
