import type { AccessType } from "../contract/common";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { manualClock, systemClock } from "../server/domain/clock";
import { auditEvents } from "./factories/audit";
import { credentialAlertRows, credentialExpiryRow, deadlinesOf } from "./factories/credentials";
import { insertMailboxAccess, mailboxAccessRow, updateMailboxAccess } from "./factories/mailbox-access";
import { buildMonitor } from "./factories/monitoring";
import { setEveryProfile, setProfile } from "./factories/profiles";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "./helpers/server";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver";

announcePostgresSkip();

const DAY = 86_400_000;
const TENANT = "contoso.onmicrosoft.com";
const CLIENT_ID = "7f3c2b1a-4d5e-4f60-8a9b-0c1d2e3f4a5b";

/** The card's title (first TextBlock). */
const titleOf = (card: any): string => card.attachments[0].content.body[0].text;
const dateIn = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

describe.each(testDatabases())("credentials and deadlines on %s", (dialect) => {
  let s: TestServer;
  let sim: ExchangeSimulator;
  let receiver: WebhookReceiver;
  const profiles: string[] = [];

  const newProfile = async (name: string) => {
    const id = (await s.admin.post("/profiles", { name: `${name} ${dialect}` })).body.data.id as string;
    profiles.push(id);
    // Off until the test turns it on: only its own profiles are watched.
    await setProfile(s.ctx, id, { syncEnabled: 0 });
    return id;
  };
  const alertAudits = (profileId: string) => auditEvents(s.ctx, { action: "deadline.alert", profileId });
  const service = () => s.ctx.services.credentialDeadlines;
  const insertAccess = (profileId: string, type: AccessType, settings: unknown) =>
    insertMailboxAccess(s.ctx, profileId, { type, settings });

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 3, rooms: 0 }) });
    receiver = await startWebhookReceiver();
    s = await startTestServer({
      dialect,
      env: {
        EWS_ALLOWED_HOSTS: "127.0.0.1",
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
        ALERT_WEBHOOK_URL: receiver.url,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await sim?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    // Each test watches its own profiles: the others' deadlines stay out of its alerts.
    await setEveryProfile(s.ctx, { syncEnabled: 0 });
    receiver.bodies.length = 0;
    s.ctx.services.credentialDeadlines.clock = systemClock;
  });

  describe("client secret expiry", () => {
    let profileId: string;
    const put = (body: Record<string, unknown>) =>
      s.admin.put(`/profiles/${profileId}/mailbox-access`, {
        type: "graph-app-only",
        tenantId: TENANT,
        clientId: CLIENT_ID,
        ...body,
      });

    beforeAll(async () => {
      profileId = await newProfile("Secret");
    });

    it("refuses a date that isn't one, a past date and a date with a certificate, with a clear 400 and nothing written", async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ clientSecret: "secret-value-1", clientSecretExpiresOn: "next year" }, /must be a date/],
        [{ clientSecret: "secret-value-1", clientSecretExpiresOn: "2027-02-30" }, /not a date/],
        [{ clientSecret: "secret-value-1", clientSecretExpiresOn: dateIn(-3) }, /not in the future/],
        [{ clientSecret: "secret-value-1", clientSecretExpiresOn: dateIn(0) }, /not in the future/],
        [{ certificatePem: "x".repeat(120), clientSecretExpiresOn: dateIn(90) }, /goes with a client secret/],
        [{ clientSecretExpiresOn: dateIn(90) }, /goes with a client secret/],
      ];
      for (const [body, message] of cases) {
        const res = await put(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.id).toBe("validation_failed");
        expect(res.body.error.message).toMatch(message);
        expect(JSON.stringify(res.body.error.details)).toContain("clientSecretExpiresOn");
      }
      expect((await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data).toBeNull();
    });

    it("stores the date with the secret (not sealed), shows it with the days left, keeps it with the secret, and forgets it with a new secret", async () => {
      const on = dateIn(45);
      const saved = await put({ clientSecret: "secret-value-1", clientSecretExpiresOn: on });
      expect(saved.status).toBe(200);
      expect(saved.body.data).toMatchObject({
        credential: "secret",
        clientSecretExpiresOn: on,
        clientSecretDaysLeft: 44,
      });
      expect(saved.text).not.toContain("secret-value-1");
      const row = await mailboxAccessRow(s.ctx, profileId);
      expect(JSON.parse(row.settings)).toMatchObject({ clientSecretExpiresOn: on });

      // Saved again without the secret: the date stays; a new date alone corrects it.
      expect((await put({})).body.data.clientSecretExpiresOn).toBe(on);
      const corrected = await put({ clientSecretExpiresOn: dateIn(20) });
      expect(corrected.body.data).toMatchObject({
        clientSecretExpiresOn: dateIn(20),
        clientSecretDaysLeft: 19,
      });
      expect(corrected.body.data.warnings.join(" ")).toMatch(/client secret expires in 19 day/);

      // A new secret without a date: the old secret's date does not carry over.
      expect((await put({ clientSecret: "secret-value-2" })).body.data.clientSecretExpiresOn).toBeNull();
      await put({ clientSecret: "secret-value-1", clientSecretExpiresOn: on });
    });

    it("lists the secret's expiry as a deadline and alerts 30, 7 and 1 days ahead, each once, audited, afresh for a replaced secret", async () => {
      await setProfile(s.ctx, profileId, { syncEnabled: 1 });
      const on = dateIn(45);
      const due = Date.parse(`${on}T00:00:00Z`);
      const clock = manualClock(due - 40 * DAY);
      service().clock = clock;

      const [item] = await deadlinesOf(s.ctx, [profileId], clock.now());
      expect(item).toEqual({
        profileId,
        kind: "client-secret",
        dueAt: new Date(due).toISOString(),
        daysLeft: 40,
        detail: expect.stringContaining(on),
      });

      const pass = async () => (await service().sendDueAlerts()).map((a) => `${a.kind}:${a.daysLeft}`);
      expect(await pass()).toEqual([]);
      clock.advance(10 * DAY + 3_600_000); // 29 days 23 hours left
      expect(await pass()).toEqual(["client-secret:29"]);
      expect(await pass()).toEqual([]); // once
      clock.advance(10 * DAY);
      expect(await pass()).toEqual([]);
      clock.advance(13 * DAY); // 6 days 23 hours left
      expect(await pass()).toEqual(["client-secret:6"]);
      clock.advance(2 * DAY);
      expect(await pass()).toEqual([]);
      clock.advance(4 * DAY); // 23 hours left
      expect(await pass()).toEqual(["client-secret:0"]);
      clock.advance(3 * DAY); // expired: no further card
      expect(await pass()).toEqual([]);

      expect(receiver.bodies.map(titleOf)).toEqual([
        expect.stringMatching(/Secret .*: the app's client secret expires in 29 day/),
        expect.stringMatching(/expires in 6 day/),
        expect.stringMatching(/expires in 0 day/),
      ]);
      const card = receiver.bodies[0].attachments[0];
      expect(card.contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(JSON.stringify(card.content.body)).toMatch(/Create a new client secret/);
      expect(JSON.stringify(card.content.body)).toContain(`/profiles/${profileId}/connectivity`);
      const audits = await alertAudits(profileId);
      expect(audits.map((a) => JSON.parse(a.after!).daysAhead)).toEqual([30, 7, 1]);
      expect(audits.every((a) => a.actor === "monitor" && a.target === "client-secret")).toBe(true);

      // The secret is replaced (another expiry): its alerts start afresh, the old record is gone.
      const next = dateIn(60);
      await put({ clientSecret: "secret-value-3", clientSecretExpiresOn: next });
      clock.advance(-clock.now() + Date.parse(`${next}T00:00:00Z`) - 25 * DAY);
      expect(await pass()).toEqual(["client-secret:25"]);
      const keys = await credentialAlertRows(s.ctx, profileId);
      expect(new Set(keys.map((k) => k.credentialKey))).toEqual(new Set([`${next}T00:00:00.000Z`]));
      // A credential first seen inside 30 days gets one card, not a backlog.
      expect(receiver.bodies).toHaveLength(4);
    });
  });

  it("asks Exchange for the basic service account's password expiry in the connectivity test (as the account, not impersonated) and alerts ahead of it", async () => {
    const profileId = await newProfile("Password");
    await setProfile(s.ctx, profileId, { syncEnabled: 1 });
    await s.admin.post(`/profiles/${profileId}/users`, { text: DEMO.user.address });
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    });
    expect(put.status).toBe(200);
    const account = sim.tenant.accounts.find((a) => a.logon === DEMO.serviceAccount.logon)!;
    const expires = new Date(Date.now() + 10 * DAY + 3_600_000);
    account.passwordExpiresAt = expires.toISOString();
    const step = async () => {
      const res = await s.admin.post(`/profiles/${profileId}/connectivity-tests`, {});
      expect(res.status).toBe(200);
      return (res.body.data.steps as any[]).find((st) => st.name === "Service account password expiry");
    };
    try {
      expect(await step()).toMatchObject({
        status: "warning",
        code: "PasswordExpiresSoon",
        detail: expect.stringMatching(/expires in 10 day/),
      });
      const stored = await credentialExpiryRow(s.ctx, profileId);
      expect(stored).toMatchObject({ kind: "password" });
      expect(Date.parse(stored.expiresAt!)).toBe(Math.floor(expires.getTime() / 1000) * 1000);
      const items = await deadlinesOf(s.ctx, [profileId], Date.now());
      expect(items).toEqual([
        expect.objectContaining({
          kind: "password",
          daysLeft: 10,
          detail: expect.stringContaining(DEMO.serviceAccount.logon),
        }),
      ]);
      service().clock = manualClock(Date.now());
      expect((await service().sendDueAlerts()).map((a) => a.kind)).toEqual(["password"]);
      expect(receiver.bodies, s.logs.filter((l) => /webhook/.test(l)).join("\n")).toHaveLength(1);
      expect(titleOf(receiver.bodies.at(-1))).toMatch(/the service account's password expires in 10 day/);
      expect(await service().sendDueAlerts()).toEqual([]);

      // A password that never expires: Exchange answers DateTime.MaxValue; no deadline.
      account.passwordExpiresAt = null;
      expect(await step()).toMatchObject({
        status: "passed",
        detail: expect.stringMatching(/never expires/),
      });
      expect(await deadlinesOf(s.ctx, [profileId], Date.now())).toEqual([]);
      // The monitor's recheck asks too: a password changed meanwhile is seen then.
      account.passwordExpiresAt = new Date(Date.now() + 100 * DAY + 3_600_000).toISOString();
      expect(await service().refreshPasswordExpiry(profileId)).toMatchObject({ ok: true });
      expect((await deadlinesOf(s.ctx, [profileId], Date.now()))[0]).toMatchObject({
        kind: "password",
        daysLeft: 100,
      });
    } finally {
      account.passwordExpiresAt = undefined;
    }
  });

  it("flags a Connect account connection with no refresh for oauthStaleHours while the profile is on, once per stale period", async () => {
    const profileId = await newProfile("OAuth");
    const last = Date.parse("2026-12-01T08:00:00Z");
    const settings = (lastRefreshAt: string) => ({
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
      account: {
        upn: "svc-oauth@contoso.com",
        tenantId: "t",
        objectId: "o",
        connectedAt: "2026-11-30T08:00:00Z",
        lastRefreshAt,
      },
    });
    await insertAccess(profileId, "ews-oauth-impersonation", settings(new Date(last).toISOString()));
    const at = (hours: number) => last + hours * 3_600_000;
    expect(await deadlinesOf(s.ctx, [profileId], at(23))).toEqual([]);
    // Disabled profile: never stale.
    expect(await deadlinesOf(s.ctx, [profileId], at(30))).toEqual([]);
    await setProfile(s.ctx, profileId, { syncEnabled: 1 });
    expect(await deadlinesOf(s.ctx, [profileId], at(30))).toEqual([
      {
        profileId,
        kind: "oauth-stale",
        dueAt: new Date(at(24)).toISOString(),
        daysLeft: 0,
        detail: expect.stringMatching(/svc-oauth@contoso.com.*30 hours/),
      },
    ]);
    // The setting moves the limit.
    await s.admin.put("/settings", { oauthStaleHours: 48 });
    const clock = manualClock(at(30));
    service().clock = clock;
    expect(await service().sendDueAlerts()).toEqual([]);
    await s.admin.put("/settings", { oauthStaleHours: 24 });
    expect((await service().sendDueAlerts()).map((a) => a.kind)).toEqual(["oauth-stale"]);
    clock.advance(3_600_000);
    expect(await service().sendDueAlerts()).toEqual([]);
    expect(titleOf(receiver.bodies[0])).toMatch(/the Connect account connection is stale/);
    // A refresh ends the period; the next stale period alerts again.
    await updateMailboxAccess(s.ctx, profileId, { settings: settings(new Date(at(31)).toISOString()) });
    expect(await service().sendDueAlerts()).toEqual([]);
    clock.advance(30 * 3_600_000);
    expect((await service().sendDueAlerts()).map((a) => a.kind)).toEqual(["oauth-stale"]);
    expect(await alertAudits(profileId)).toHaveLength(2);
  });

  it("alerts ahead of a certificate's expiry and of the EWS deadline for Exchange Online, from the monitor's pass", async () => {
    const certProfile = await newProfile("Certificate");
    const notAfter = "2027-01-20T12:00:00.000Z";
    await insertAccess(certProfile, "graph-app-only", {
      tenantId: TENANT,
      clientId: CLIENT_ID,
      signInWith: "certificate",
      cert: {
        thumbprint: "AB12",
        thumbprintSha256: "CD34",
        subject: "CN=x",
        notBefore: "2026-01-01T00:00:00Z",
        notAfter,
      },
    });
    const onlineProfile = await newProfile("Online");
    await insertAccess(onlineProfile, "ews-app-only", {
      tenantId: TENANT,
      clientId: CLIENT_ID,
      signInWith: "certificate",
      cert: null,
    });
    const onPremises = await newProfile("On-premises");
    await insertAccess(onPremises, "ews-basic-impersonation", {
      accountLogon: "svc@contoso.com",
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    });
    await setProfile(s.ctx, [certProfile, onlineProfile, onPremises], { syncEnabled: 1 });
    const clock = manualClock(Date.parse("2027-01-15T00:00:00Z"));
    service().clock = clock;
    const monitor = buildMonitor(s.ctx, { tickMs: 3_600_000, deadlines: service() });
    await monitor.tick();
    const titles = () => receiver.bodies.map(titleOf).sort();
    expect(titles()).toEqual([
      expect.stringMatching(/Certificate .*: the app's certificate expires in 5 day/),
    ]);
    clock.advance(Date.parse("2027-03-03T00:00:00Z") - clock.now());
    await monitor.tick();
    await monitor.tick();
    expect(receiver.bodies).toHaveLength(3);
    expect(receiver.bodies.slice(1).map(titleOf)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/certificate has expired/),
        expect.stringMatching(/Online .*: EWS in Exchange Online ends in 29 day/),
      ]),
    );
    expect(await alertAudits(onPremises)).toEqual([]);
    expect((await alertAudits(onlineProfile)).map((a) => a.target)).toEqual(["ews-deadline"]);
    await monitor.close();
  });
});
