import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from "../helpers/server";
import { freePort, SERVICE_ACCOUNT, serverEnvFor, startOAuthStack, type OAuthStack } from "../oauth-helpers";
import { e2eEnabled, launchBrowser, screenshot } from "./helpers/browser";
import { startPanelServer } from "./helpers/panel";
import { advanceProcessClock, restoreProcessClock } from "../helpers/process-clock";

const enabled = e2eEnabled();
/** Short-lived access tokens; the test moves the process clock past their expiry to reach the refresh path. */
const ACCESS_TOKEN_TTL = 10;

describe.skipIf(!enabled)(
  "Connect account in Chromium against the test identity provider and the simulator",
  () => {
    let stack: OAuthStack;
    let server: TestServer;
    let env: Record<string, string>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let profileId: string;
    const sqliteFile = path.join(mkdtempSync(path.join(tmpdir(), "msa-oauth-e2e-")), "db.sqlite");
    const start = () => startPanelServer({ env, sqliteFile });

    beforeAll(async () => {
      stack = await startOAuthStack({ accessTokenTtl: ACCESS_TOKEN_TTL });
      env = await serverEnvFor(stack.idp, await freePort());
      server = await start();
      profileId = (await server.admin.post("/profiles", { name: "Contoso hybrid" })).body.data.id;
      await server.admin.post(`/profiles/${profileId}/users`, {
        text: "adele.vance@contoso.com\nalex.vance@contoso.com",
      });
      expect(
        (
          await server.admin.put(`/profiles/${profileId}/mailbox-access`, {
            type: "ews-oauth-impersonation",
            ewsUrl: stack.sim.ewsUrl,
          })
        ).status,
      ).toBe(200);
      browser = await launchBrowser();
      // The provider's certificate is self-signed; everything but 127.0.0.1 is blocked.
      context = await browser.newContext({
        ignoreHTTPSErrors: true,
        viewport: { width: 1366, height: 900 },
        reducedMotion: "reduce",
      });
      await context.route(
        (url) => url.hostname !== "127.0.0.1",
        (route) => route.abort("blockedbyclient"),
      );
      page = await context.newPage();
    }, 180_000);

    afterAll(async () => {
      restoreProcessClock();
      await context?.close();
      await browser?.close();
      await server?.close();
      await stack?.close();
    });

    const openConnectivity = async () => {
      await page.goto(`${env.BASE_URL}/profiles/${profileId}`);
      await page.getByRole("tab", { name: "Connectivity" }).click();
    };
    const connectWith = async (button: "Connect account" | "Reconnect") => {
      // The admin names the service account first (Reconnect proposes the connected one).
      const upn = page.getByLabel(/Service account \(UPN\)/);
      if (button === "Connect account") await upn.fill(SERVICE_ACCOUNT.upn);
      expect(await upn.inputValue()).toBe(SERVICE_ACCOUNT.upn);
      const popupOpened = page.waitForEvent("popup");
      await page.getByRole("button", { name: button }).click();
      const popup = await popupOpened;
      // The link's first page names who asked and whom they expect, then Continue goes to the authority.
      await popup
        .getByText(`${ADMIN_EMAIL} asked to connect the service account ${SERVICE_ACCOUNT.upn}`, {
          exact: false,
        })
        .waitFor();
      const closed = popup.waitForEvent("close", { timeout: 30_000 });
      await popup.getByRole("link", { name: "Continue" }).click();
      await closed;
      await page.getByText(`Connected as ${SERVICE_ACCOUNT.upn}`).first().waitFor();
    };
    const testConnectivity = async (outcome: RegExp) => {
      await page.getByRole("button", { name: "Test connectivity" }).click();
      await page.getByText(outcome).first().waitFor({ timeout: 30_000 });
    };

    it("connects, tests, survives a restart and a refresh, fails with Reconnect after revocation, and reconnects", async () => {
      onTestFailed(async () => {
        await screenshot(page, "oauth-failure");
      });
      await page.goto(env.BASE_URL);
      await page.getByLabel("Email").fill(ADMIN_EMAIL);
      await page.getByLabel("Password").fill(ADMIN_PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { name: "Profiles", level: 1 }).waitFor();
      await openConnectivity();
      await page.getByText("No account connected yet", { exact: false }).first().waitFor();

      await connectWith("Connect account");
      const card = page.getByLabel("Connected account");
      await card.getByText(SERVICE_ACCOUNT.upn).first().waitFor();
      await card.getByText(SERVICE_ACCOUNT.tid).waitFor();
      await screenshot(page, "oauth-connected");
      await testConnectivity(/Connectivity test passed/);

      // Restart on the same store; once the access token expired, the test passes through a refresh.
      await server.closeForRestart(); // fetch and the browser drop their sockets to the old server first
      server = await start();
      const refreshes = stack.idp.counters.grants.refresh_token ?? 0;
      advanceProcessClock(ACCESS_TOKEN_TTL * 1000 + 500); // the access token expired, at the provider and in msal
      await openConnectivity();
      await testConnectivity(/Connectivity test passed/);
      expect(stack.idp.counters.grants.refresh_token).toBe(refreshes + 1);
      await page.reload();
      await page.getByRole("tab", { name: "Connectivity" }).click();
      await expect
        .poll(async () => (await page.getByLabel("Connected account").innerText()).includes("never"))
        .toBe(false);

      // Revoked at the provider: the next test fails with Reconnect; Reconnect works.
      stack.idp.revokeGrants(SERVICE_ACCOUNT);
      advanceProcessClock(ACCESS_TOKEN_TTL * 1000 + 500); // the access token expired, at the provider and in msal
      await testConnectivity(/Connectivity test failed/);
      await page
        .getByText(/Reconnect on the Connectivity tab/)
        .first()
        .waitFor();
      await screenshot(page, "oauth-revoked");
      await connectWith("Reconnect");
      await testConnectivity(/Connectivity test passed/);
    }, 180_000);
  },
);
