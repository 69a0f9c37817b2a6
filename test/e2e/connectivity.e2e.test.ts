import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../../server/ews-simulator";
import { type TestServer } from "../helpers/server";
import { e2eEnabled, launchBrowser, openPage, screenshot, type WatchedPage } from "./helpers/browser";
import { startPanelServer, signInAsAdmin, seriousViolations } from "./helpers/panel";

const enabled = e2eEnabled();

/** Before sign-in the panel asks who is signed in; the 401 is the expected answer. */
const SIGNED_OUT_PROBE = [/401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/me$/];

/** Generated demo mailboxes: the first profile gets the first 60 (plus the named ones), the second the rest. */
const GENERATED_USERS = 160;
const FIRST_PROFILE_GENERATED = 60;

describe.skipIf(!enabled)("Connectivity tab in Chromium against the Exchange simulator", () => {
  let sim: ExchangeSimulator;
  let server: TestServer;
  let browser: Browser;
  let profileId: string;
  let secondProfileId: string;
  let userCount = 0;
  let secondUserCount = 0;
  const pages: WatchedPage[] = [];

  async function createProfileWithUsers(
    name: string,
    addresses: string[],
  ): Promise<{ id: string; added: number }> {
    const created = await server.admin.post("/profiles", { name, description: "Exchange 2019 (simulator)" });
    expect(created.status).toBe(201);
    const added = await server.admin.post(`/profiles/${created.body.data.id}/users`, {
      text: addresses.join("\n"),
    });
    expect(added.status).toBeLessThan(300);
    expect(added.body.data.added).toBe(addresses.length);
    return { id: created.body.data.id, added: added.body.data.added };
  }

  beforeAll(async () => {
    const tenant = demoTenant({ users: GENERATED_USERS });
    // Some latency, so the activation runs long enough to watch its progress move.
    sim = await startExchangeSimulator({ tenant, latencyMs: 120 });
    server = await startPanelServer({ env: { EWS_ALLOWED_HOSTS: "127.0.0.1" } });
    const plain = tenant
      .mailboxes!.filter((m) => !m.kind || m.kind === "user")
      .map((m) => m.primarySmtpAddress)
      .filter(
        (a) =>
          /^[a-z]+\.[a-z]+\d*@contoso\.com$/.test(a) &&
          ![DEMO.ewsDisabledUser, DEMO.movingUser, DEMO.user.address, DEMO.blockedUser].includes(a as never),
      );
    const first = [...plain.slice(0, FIRST_PROFILE_GENERATED), DEMO.blockedUser];
    const second = plain.slice(FIRST_PROFILE_GENERATED);
    expect(second.length).toBeGreaterThan(50);
    ({ id: profileId, added: userCount } = await createProfileWithUsers("Contoso on-premises", first));
    ({ id: secondProfileId, added: secondUserCount } = await createProfileWithUsers(
      "Contoso branch offices",
      second,
    ));
    const configured = await server.admin.put(`/profiles/${secondProfileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    });
    expect(configured.status).toBe(200);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await server?.close();
    await sim?.close();
  });

  it("configures basic impersonated logon, tests (failing, then passing), activates to 100 % and reads a failing user's remediation", async () => {
    const watched = await openPage(browser, {
      ignoreErrors: SIGNED_OUT_PROBE,
    });
    pages.push(watched);
    const { page } = watched;
    onTestFailed(async () => {
      await screenshot(page, "connectivity-failure");
      console.log("console errors:", watched.errors);
    });
    await signInAsAdmin(page, server.url);
    await page.getByRole("link", { name: "Contoso on-premises", exact: true }).click();
    await page.getByRole("tab", { name: "Connectivity" }).click();

    const emailConfig = page
      .getByRole("group", { name: "Email configuration" })
      .or(page.locator('[aria-labelledby="email-configuration-title"]'));
    await emailConfig.getByText("No mailbox access configured yet: choose a Mailbox Access Type.").waitFor();
    await screenshot(page, "connectivity-empty-light");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("combobox", { name: "Mailbox Access Type" }).click();
    const options = page.getByRole("option");
    await expect
      .poll(() => options.allInnerTexts().then((t) => t.map((x) => x.split("\n")[0])))
      .toEqual(
        expect.arrayContaining([
          "Microsoft Exchange basic authorization (EWS API) - Impersonated logon",
          "Microsoft 365 OAuth Logon (EWS API) - Impersonated logon",
        ]),
      );
    await screenshot(page, "connectivity-access-types-light");
    await page
      .getByRole("option", {
        name: /Microsoft Exchange basic authorization \(EWS API\) - Impersonated logon/,
      })
      .click();

    const save = page.getByRole("button", { name: "Save" });
    expect(await save.isDisabled()).toBe(true);
    await page.getByLabel("Account Logon").fill(DEMO.serviceAccount.logon);
    await page.getByLabel(/^Password/).fill("not-the-password");
    await page.getByLabel("Exchange Web Services (EWS) URL").fill(sim.ewsUrl);
    await screenshot(page, "connectivity-basic-form-light");
    await save.click();
    await page.getByText("Password is set").waitFor();
    await page.getByText("Mailbox access saved").first().waitFor();

    // A failing run: the wrong password fails authentication, with remediation.
    await page.getByRole("combobox", { name: "Target user" }).pressSequentially("adele");
    await page.getByRole("option", { name: /adele\.vance@contoso\.com/ }).click();
    await page.getByRole("button", { name: "Test connectivity" }).click();
    await page.getByText(/Connectivity test failed/).waitFor({ timeout: 30_000 });
    const steps = page.getByRole("list", { name: "Connectivity test steps" });
    await expect.poll(() => steps.getByRole("img", { name: "Failed" }).count()).toBeGreaterThan(0);
    await screenshot(page, "connectivity-test-failed-light");

    // Fix the password and run again: every step passes (or warns).
    await page.getByRole("button", { name: "Change the password" }).click();
    await page.getByLabel(/^Password/).fill(DEMO.serviceAccount.password);
    await save.click();
    await page.getByText("Password is set").waitFor();
    await page.getByRole("button", { name: "Test connectivity" }).click();
    await page.getByText(/Connectivity test passed/).waitFor({ timeout: 30_000 });
    await expect.poll(() => steps.getByRole("img", { name: "Failed" }).count()).toBe(0);
    await screenshot(page, "connectivity-test-passed-light");
    expect(await seriousViolations(page)).toEqual([]);

    // Activate: confirm how many, then watch live progress reach 100 %.
    await page.getByRole("button", { name: "Activate sync for all users" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Activate sync for all users?" });
    const count = userCount;
    await confirm.getByText(new RegExp(`${count} users \\(${count} not activated, 0 in error\\)`)).waitFor();
    await confirm.getByRole("button", { name: `Activate ${count} users` }).click();
    const progress = page.getByRole("region", { name: "Activation progress" });
    await progress.getByRole("progressbar").waitFor();
    if (await progress.getByRole("button", { name: "Pause" }).isVisible()) {
      await screenshot(page, "connectivity-activation-running-light");
    }
    await page.getByText(`${count} of ${count} users checked (100 %)`).waitFor({ timeout: 60_000 });
    await page.getByText("ErrorImpersonateUserDenied: 1").waitFor();
    await screenshot(page, "connectivity-activation-done-light");
    expect(await seriousViolations(page)).toEqual([]);

    // The failing user: open it from the users in error and read its remediation.
    await page.getByRole("link", { name: "Show users in error" }).click();
    await page.getByRole("tab", { name: "Users", selected: true }).waitFor();
    // The link opens the tab filtered to users in error.
    await expect
      .poll(() => page.getByRole("combobox", { name: "Filter by state" }).textContent())
      .toContain("Error");
    await page.getByRole("button", { name: new RegExp(DEMO.blockedUser.replace(/\./g, "\\.")) }).click();
    const drawer = page.getByRole("dialog", { name: new RegExp(DEMO.blockedUser.replace(/\./g, "\\.")) });
    await drawer
      .getByText(/New-ManagementRoleAssignment/)
      .first()
      .waitFor();
    await screenshot(page, "connectivity-failing-user-light");
    await page.keyboard.press("Escape");

    await page.getByRole("tab", { name: "Activity" }).click();
    await page.getByRole("table", { name: "Jobs" }).getByText("Activate sync for all users").waitFor();
    await screenshot(page, "activity-light");

    expect(watched.errors).toEqual([]);
  }, 180_000);

  it("shows the stored configuration, latest test and last activation after a reload, in dark mode", async () => {
    // The conflict below is a refused save: Chromium logs the 412 answer as a failed resource.
    const conflictAnswer =
      /412 \(Precondition Failed\) @ http:\/\/127\.0\.0\.1:\d+\/api\/v1\/profiles\/[^/]+\/mailbox-access$/;
    const watched = await openPage(browser, {
      colorScheme: "dark",
      ignoreErrors: [...SIGNED_OUT_PROBE, conflictAnswer],
    });
    pages.push(watched);
    const { page } = watched;
    onTestFailed(async () => {
      await screenshot(page, "connectivity-failure-dark");
      console.log("console errors:", watched.errors);
    });
    await signInAsAdmin(page, server.url);
    await page.goto(`${server.url}/profiles/${profileId}/connectivity`);
    await page.getByText("Password is set").waitFor();
    await page.getByText(/Connectivity test passed/).waitFor();
    await page.getByText("Last activation").waitFor();
    await screenshot(page, "connectivity-dark");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("list", { name: "Connectivity test steps" }).scrollIntoViewIfNeeded();
    await screenshot(page, "connectivity-test-dark");
    await page.getByText("Last activation").scrollIntoViewIfNeeded();
    await screenshot(page, "connectivity-activation-dark");

    // Someone else saves meanwhile: this form's save is refused with a conflict message, and Reload recovers.
    await page.getByRole("button", { name: "Change the password" }).click();
    await page.getByLabel(/^Password/).fill(DEMO.serviceAccount.password);
    const current = await server.admin.get(`/profiles/${profileId}/mailbox-access`);
    const other = await server.admin.put(
      `/profiles/${profileId}/mailbox-access`,
      { type: "ews-basic-impersonation", accountLogon: DEMO.serviceAccount.logon, ewsUrl: sim.ewsUrl },
      { "if-match": current.headers.get("etag")! },
    );
    expect(other.status).toBe(200);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Someone else saved this configuration meanwhile").waitFor();
    await screenshot(page, "connectivity-conflict-dark");
    await page.getByRole("button", { name: "Reload" }).click();
    await page.getByText("Password is set").waitFor();
    await expect
      .poll(() => page.getByText("Someone else saved this configuration meanwhile").count())
      .toBe(0);

    // The app-only types the server lists get their own form (not saved here).
    await page.getByRole("combobox", { name: "Mailbox Access Type" }).click();
    await page.getByRole("option", { name: /Microsoft 365 app-only \(Graph API\)/ }).click();
    await page
      .getByRole("group", { name: "Email configuration" })
      .getByLabel(/^Application \(client\) ID/)
      .waitFor();
    await screenshot(page, "connectivity-app-only-dark");
    await page.getByRole("tab", { name: "Activity" }).click();
    await page.getByRole("table", { name: "Audit events" }).waitFor();
    await screenshot(page, "activity-dark");
    expect(watched.errors).toEqual([]);
  }, 90_000);
  it("keeps a running activation across a reload, with pause, resume and cancel", async () => {
    const watched = await openPage(browser, { ignoreErrors: SIGNED_OUT_PROBE });
    pages.push(watched);
    const { page } = watched;
    onTestFailed(async () => {
      await screenshot(page, "connectivity-failure-controls");
      console.log("console errors:", watched.errors);
    });
    // Slow Exchange: the activation takes long enough to reload and press the buttons.
    sim.faults.latencyMs = 1500;
    try {
      await signInAsAdmin(page, server.url);
      await page.goto(`${server.url}/profiles/${secondProfileId}/connectivity`);
      await page.getByRole("button", { name: "Activate sync for all users" }).click();
      const confirm = page.getByRole("alertdialog", { name: "Activate sync for all users?" });
      await confirm.getByRole("button", { name: `Activate ${secondUserCount} users` }).click();
      const progress = page.getByRole("region", { name: "Activation progress" });
      await progress.getByText("Activation in progress").waitFor();

      await page.reload();
      await progress.getByText("Activation in progress").waitFor();
      await progress.getByRole("progressbar").waitFor();
      await progress.getByRole("button", { name: "Pause" }).click();
      await progress.getByText("Paused", { exact: true }).waitFor();
      await progress.getByRole("button", { name: "Resume" }).waitFor();
      await screenshot(page, "connectivity-activation-paused-light");
      await progress.getByRole("button", { name: "Resume" }).click();
      await progress.getByRole("button", { name: "Pause" }).waitFor();

      await progress.getByRole("button", { name: "Cancel" }).click();
      const cancel = page.getByRole("alertdialog", { name: "Cancel the activation?" });
      await cancel.getByRole("button", { name: "Cancel activation" }).click();
      await progress.getByText("Cancelled", { exact: true }).waitFor({ timeout: 30_000 });
      await progress.getByText("Last activation").waitFor();
      await screenshot(page, "connectivity-activation-cancelled-light");
      expect(watched.errors).toEqual([]);
    } finally {
      sim.faults.latencyMs = 120;
    }
  }, 120_000);
});
