import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../server/domain/clock";
import type { Monitor } from "../server/monitoring/monitor";
import { TEST_ACCOUNTS } from "./idp";
import { auditEvents } from "./factories/audit";
import { addCheckRollups, buildMonitor, dailyRollups } from "./factories/monitoring";
import { insertUsers } from "./factories/users";
import { startIdentityFixture, type IdentityFixture } from "./helpers/identity";
import {
  ApiClient,
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "./helpers/server";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver";

announcePostgresSkip();

const HOUR = 3_600_000;

describe.each(testDatabases())("overview and stalled sync on %s", (dialect) => {
  // Whole hours, so the day boundary stays where the test expects it: T0 is noon (UTC) today.
  const T0 = Date.parse(`${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`) - 24 * HOUR;
  const clock = manualClock(T0);
  const iso = (ms: number) => new Date(ms).toISOString();
  let s: TestServer;
  let receiver: WebhookReceiver;
  let monitor: Monitor;
  let sync: ApiClient;
  const ids: Record<string, string> = {};
  let P: string;
  let Q: string;
  let R: string;

  const report = (address: string, at: number) =>
    sync.post(`/sync/mailboxes/${encodeURIComponent(address)}/reports`, {
      startedAt: iso(at - 60_000),
      finishedAt: iso(at),
      itemsIn: 1,
      itemsOut: 0,
    });
  const overviewOf = async (id: string) => {
    const res = await s.admin.get("/overview");
    expect(res.status).toBe(200);
    return { overview: res.body.data, profile: res.body.data.profiles.find((p: any) => p.id === id) };
  };
  const stalledAddresses = async (profileId: string) => {
    const res = await s.admin.get(`/profiles/${profileId}/users?stalled=true`);
    expect(res.status).toBe(200);
    return (res.body.data as any[]).map((u) => u.address).sort();
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    s = await startTestServer({
      dialect,
      clock,
      env: {
        JOBS_RUNNER: "false",
        MONITOR_INTERVAL_MINUTES: "0",
        ALERT_WEBHOOK_URL: receiver.url,
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
      },
    });
    monitor = buildMonitor(s.ctx, { tickMs: 3_600_000, clock });
    P = (await s.admin.post("/profiles", { name: "Head office" })).body.data.id;
    Q = (await s.admin.post("/profiles", { name: "No service" })).body.data.id;
    R = (await s.admin.post("/profiles", { name: "Sync off" })).body.data.id;
    const longAgo = iso(T0 - 48 * HOUR);
    const one = async (profileId: string, prefix: string, values: Record<string, unknown>) => {
      const [row] = await insertUsers(s.ctx, profileId, 1, {
        prefix,
        state: "active",
        activeSince: longAgo,
        ...values,
      });
      ids[prefix] = row.id;
      return row.address;
    };
    await one(P, "reporter", {});
    await one(P, "silent", {});
    await one(P, "old", { lastSyncAt: iso(T0 - 30 * HOUR) });
    await one(P, "fresh", { activeSince: iso(T0 - 2 * HOUR) });
    await one(P, "paused", { state: "paused", stateBefore: "active" });
    await one(P, "broken", { state: "error" });
    await one(Q, "qsilent", {});
    await one(R, "rreporter", {});
    await one(R, "rsilent", {});
    expect((await s.admin.patch(`/profiles/${R}`, { syncEnabled: false })).status).toBe(200);
    const key = await s.admin.post("/service-keys", {
      name: "CRM sync",
      scopes: ["roster:read", "reports:write"],
    });
    expect(key.status).toBe(201);
    sync = new ApiClient(s.url, { authorization: `Bearer ${key.body.data.key}` });
    expect((await report("reporter00000@contoso.com", T0 - HOUR)).status).toBe(201);
    expect((await report("rreporter00000@contoso.com", T0 - HOUR)).status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it("flags stalled mailboxes beside their state and filters on them: silent, or last report too old", async () => {
    const list = await s.admin.get(`/profiles/${P}/users`);
    const flags = Object.fromEntries(
      (list.body.data as any[]).map((u) => [u.address.replace(/0+@.*/, ""), u.stalled]),
    );
    expect(flags).toEqual({
      reporter: false,
      silent: true,
      old: true,
      // Became active 2 h ago: not stalled yet, whatever its last report.
      fresh: false,
      // Paused or in error: not syncAllowed.
      paused: false,
      broken: false,
    });
    expect((list.body.data as any[]).find((u) => u.address.startsWith("silent")).state).toBe("active");
    expect(await stalledAddresses(P)).toEqual(["old00000@contoso.com", "silent00000@contoso.com"]);
    expect((await s.admin.get(`/users/${ids.silent}`)).body.data.stalled).toBe(true);
    expect((await s.admin.get(`/users/${ids.fresh}`)).body.data.stalled).toBe(false);
    // The profile's service reports for nobody: nobody is stalled. Sync is off: nobody is syncAllowed.
    expect(await stalledAddresses(Q)).toEqual([]);
    expect(await stalledAddresses(R)).toEqual([]);
    expect((await s.admin.get(`/profiles/${Q}/users`)).body.data[0].stalled).toBe(false);
    const bad = await s.admin.get(`/profiles/${P}/users?stalled=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/stalled/);
  });

  it("counts stalled per profile in the overview, with totals over the profiles", async () => {
    const { overview, profile } = await overviewOf(P);
    expect(profile).toMatchObject({
      name: "Head office",
      stalled: 2,
      counts: { active: 4, paused: 1, error: 1, "not-activated": 0, pending: 0 },
      stalledAfterHours: 24,
    });
    expect(overview.profiles.find((p: any) => p.id === Q).stalled).toBe(0);
    expect(overview.profiles.find((p: any) => p.id === R).stalled).toBe(0);
    // The server starts with a default profile of its own (empty).
    expect(overview.profiles).toHaveLength(4);
    expect(overview.totals).toMatchObject({
      profiles: 4,
      stalled: 2,
      counts: { active: 7, paused: 1, error: 1 },
      openAlerts: 0,
      credentialsExpiring: 0,
    });
    expect(overview.trendDays).toHaveLength(30);
    expect(overview.trendDays.at(-1)).toBe(iso(T0).slice(0, 10));
    expect(profile.trend.checks).toHaveLength(30);
  });

  it("keeps the trend in daily rollups: checks and reports as written, users by state from the monitor", async () => {
    await addCheckRollups(s.ctx, P, iso(T0 - 2 * 24 * HOUR), 3, 1);
    await addCheckRollups(s.ctx, P, iso(T0 - 2 * 24 * HOUR + HOUR), 2, 2);
    await monitor.tick();
    const { profile } = await overviewOf(P);
    const t = profile.trend;
    // Two days ago: the checks counted; no snapshot that day.
    expect([t.checks.at(-3), t.checkFailures.at(-3), t.error.at(-3), t.stalled.at(-3)]).toEqual([
      5,
      3,
      null,
      null,
    ]);
    // Today: the monitor's snapshot.
    expect([t.error.at(-1), t.stalled.at(-1)]).toEqual([1, 2]);
    // The sync report of the profile's reporter counted on the day it arrived.
    const rows = await dailyRollups(s.ctx, [P], "2000-01-01");
    expect(rows.reduce((n, r) => n + r.syncReports, 0)).toBe(1);
  });

  it("raises the stalled alert once (audited, one webhook card) and clears it when back under the share", async () => {
    await monitor.tick();
    await monitor.tick();
    const { overview, profile } = await overviewOf(P);
    expect(profile.alert).toMatchObject({ kind: "stalled-sync" });
    expect(profile.alert.message).toMatch(/2 of 4 active mailboxes/);
    expect(overview.totals.openAlerts).toBe(1);
    const cards = receiver.bodies.filter((b) => JSON.stringify(b).includes("sync has stalled"));
    expect(cards).toHaveLength(1);
    const audit = (await auditEvents(s.ctx, { actionLike: "profile.alert.%" })).map(
      ({ action, profileId }) => ({
        action,
        profileId,
      }),
    );
    expect(audit).toEqual([{ action: "profile.alert.raise", profileId: P }]);

    // 2 of 4 is 50 %: a share of 60 % is not exceeded, so the alert clears (audited), and no card is sent.
    expect((await s.admin.patch(`/profiles/${P}`, { stalledAlertPercent: 60 })).status).toBe(200);
    await monitor.tick();
    expect((await overviewOf(P)).profile.alert).toBeNull();
    const after = await auditEvents(s.ctx, { actionLike: "profile.alert.%" });
    expect(after.map((a) => a.action)).toEqual(["profile.alert.raise", "profile.alert.clear"]);
    expect(receiver.bodies.filter((b) => JSON.stringify(b).includes("sync has stalled"))).toHaveLength(1);
  });

  it("moves with the clock: a recent activation stalls past the threshold; a silent service stalls nobody", async () => {
    // 23 h later the reporter's report (T0 - 1 h) is exactly 24 h old: still within the threshold; the
    // mailbox that became active at T0 - 2 h has been quiet for 25 h.
    clock.advance(23 * HOUR);
    expect(await stalledAddresses(P)).toEqual([
      "fresh00000@contoso.com",
      "old00000@contoso.com",
      "silent00000@contoso.com",
    ]);
    expect((await overviewOf(P)).profile.stalled).toBe(3);
    // 2 h more: the profile's last report is 25 h old, the service reports for nobody.
    clock.advance(2 * HOUR);
    expect(await stalledAddresses(P)).toEqual([]);
    expect((await overviewOf(P)).profile.stalled).toBe(0);
    // A report for one mailbox brings the others back.
    expect((await report("reporter00000@contoso.com", clock.now())).status).toBe(201);
    expect((await overviewOf(P)).profile.stalled).toBe(3);
    // A longer threshold (profile setting) unflags them.
    expect((await s.admin.patch(`/profiles/${P}`, { stalledAfterHours: 96 })).status).toBe(200);
    expect((await overviewOf(P)).profile.stalled).toBe(0);
    expect((await s.admin.patch(`/profiles/${P}`, { stalledAfterHours: 0 })).status).toBe(400);
  });

  it("shows credential deadlines: the EWS end for a profile on EWS against Exchange Online", async () => {
    const put = await s.admin.put(`/profiles/${Q}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: "svc-sync@contoso.com",
      password: "Service-Password-1",
      ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
    });
    expect(put.status).toBe(200);
    const { profile } = await overviewOf(Q);
    expect(profile.accessType).toBe("ews-basic-impersonation");
    expect(profile.deadlines).toEqual([
      {
        profileId: Q,
        kind: "ews-deadline",
        dueAt: "2027-04-01T00:00:00.000Z",
        daysLeft: Math.ceil((Date.parse("2027-04-01T00:00:00Z") - clock.now()) / 86_400_000),
      },
    ]);
  });
});

describe.each(testDatabases())("overview scoping on %s", (dialect) => {
  let f: IdentityFixture;
  beforeAll(async () => {
    f = await startIdentityFixture(dialect);
  });
  afterAll(() => f?.close());

  it("shows a profile admin only their profiles, a platform admin all, an end user nothing", async () => {
    const admin = await f.server.admin.get("/overview");
    const all = (admin.body.data.profiles as any[]).map((p) => p.id);
    expect(all).toEqual(expect.arrayContaining([f.profileA, f.profileB]));
    expect(admin.body.data.totals.profiles).toBe(all.length);

    const own = await (await f.as(TEST_ACCOUNTS.profileAdmin)).get("/overview");
    expect(own.status).toBe(200);
    expect(own.body.data.profiles.map((p: any) => p.id)).toEqual([f.profileA]);
    expect(own.body.data.totals).toMatchObject({ profiles: 1, counts: { active: 1, error: 1, paused: 1 } });
    expect(JSON.stringify(own.body)).not.toContain(f.profileB);

    const endUser = await (await f.as(TEST_ACCOUNTS.activeUser)).get("/overview");
    expect(endUser.status).toBe(403);
  });
});
