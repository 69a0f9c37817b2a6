import { afterEach, describe, expect, it } from "vitest";
import { auditEvents, insertAuditEvents } from "../../test/factories/audit";
import { checkHistory, insertCheckHistory } from "../../test/factories/checks";
import { insertMailboxAccess } from "../../test/factories/mailbox-access";
import { profileRow } from "../../test/factories/profiles";
import { allSessions, insertAdminSessions } from "../../test/factories/sessions";
import { nowIso } from "../../test/factories/store";
import { setUsersState, userRows } from "../../test/factories/users";
import { announcePostgresSkip, testDatabases } from "../../test/helpers/server";
import { testConfig } from "../config";
import { startJobHarness, type JobHarness } from "../jobs/testing/harness";
import { createLogger } from "../logger";
import { SettingsService } from "../services/settings";
import { storeAccessOf } from "../../test/factories/store";
import { Monitor } from "./monitor";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/helpers/webhook-receiver";

announcePostgresSkip();

describe.each(testDatabases())("monitoring on %s", (dialect) => {
  let h: JobHarness;
  let receiver: WebhookReceiver;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
  });

  it("re-checks on schedule, raises one alert per incident with one webhook card, clears it when the cause is gone", async () => {
    h = await startJobHarness({ dialect, users: 40, latencyMs: 1 });
    receiver = await startWebhookReceiver();
    await setUsersState(h, "all", { state: "active" });
    await insertMailboxAccess(h, h.profileId, { type: "ews-basic-impersonation" });
    const settings = new SettingsService(
      storeAccessOf(h),
      testConfig({
        ALERT_WEBHOOK_URL: receiver.url,
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
        MONITOR_INTERVAL_MINUTES: "1",
        ALERT_FAILURE_SHARE: "0.5",
      }),
    );
    // The monitor's clock is the real one moved by `ahead`: each pass moves it past the interval for the tick
    // that starts the recheck and back for the tick that evaluates it, so exactly one recheck runs per pass,
    // started after the test set its faults (a recheck still due at the end of a pass would race them).
    let ahead = 0;
    const clock = { now: () => Date.now() + ahead };
    const monitor = new Monitor({
      clock,
      store: storeAccessOf(h),
      settings,
      jobs: h.jobs,
      log: createLogger("silent"),
      tickMs: 3_600_000,
    });
    h.runner({ maxAttempts: 1 });
    const repo = storeAccessOf(h).repos.jobs;
    const pass = async () => {
      ahead = 60_000 + 1_000; // the interval (one minute) passed since the last recheck
      await monitor.tick(); // starts a recheck (and evaluates the one before: the same outcome)
      const latest = (await repo.list({ profileIds: [h.profileId], limit: 1 }))[0];
      await h.waitFor(latest.id, ["done", "failed"]);
      ahead = 0; // the recheck just finished was started less than a minute ago: none is due
      await monitor.tick(); // evaluates it
    };
    const alertOf = async () => {
      const row = await profileRow(h, h.profileId);
      return row.alert ? (JSON.parse(row.alert) as { kind: string; message: string }) : null;
    };

    // Incident 1: the service account's password is refused.
    h.sim.faults.byAccount["svc-sync@contoso.com"] = "unauthorized";
    await pass();
    expect(await alertOf()).toMatchObject({ kind: "service-account-auth" });
    await pass(); // still failing: the same incident, no second card
    expect(receiver.bodies).toHaveLength(1);
    const card = receiver.bodies[0];
    expect(card.type).toBe("message");
    expect(card.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.attachments[0].content).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(JSON.stringify(card.attachments[0].content.body)).toMatch(/service account/);

    // The cause is gone: the alert clears itself.
    delete h.sim.faults.byAccount["svc-sync@contoso.com"];
    await pass();
    expect(await alertOf()).toBeNull();

    // Incident 2: more than half of the mailboxes fail; they move to error with a remediation.
    for (const address of h.addresses.slice(0, 25)) h.sim.faults.byMailbox[address] = "http500";
    await pass();
    expect(await alertOf()).toMatchObject({
      kind: "failure-share",
      message: expect.stringMatching(/25 of 40/),
    });
    expect(receiver.bodies).toHaveLength(2);
    const failed = await userRows(h, { state: "error" });
    expect(failed).toHaveLength(25);
    expect(JSON.parse(failed[0].lastError!).remediation).toBeTruthy();

    const audit = await auditEvents(h, { actionLike: "profile.alert.%" });
    expect(audit.map((a) => a.action)).toEqual([
      "profile.alert.raise",
      "profile.alert.clear",
      "profile.alert.raise",
    ]);
    await monitor.close();
  });

  it("purges audit events and check history older than the retention, and expired sessions", async () => {
    h = await startJobHarness({ dialect, users: 2 });
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await insertAuditEvents(h, [
      { at: old, actor: "x", action: "old" },
      { at: nowIso(), actor: "x", action: "new" },
    ]);
    await insertCheckHistory(h, [
      { userId: h.userIds[0], checkedAt: old, ok: 1, ms: 1, code: null, message: null, jobId: null },
      { userId: h.userIds[0], checkedAt: nowIso(), ok: 1, ms: 1, code: null, message: null, jobId: null },
    ]);
    const admin = {
      id: "a1",
      email: "a@example.com",
      emailLower: "a@example.com",
      passwordHash: "x",
      createdAt: old,
    };
    await insertAdminSessions(h, admin, [
      {
        idHash: "expired",
        createdAt: old,
        lastSeenAt: old,
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      },
      {
        idHash: "live",
        createdAt: old,
        lastSeenAt: old,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    ]);
    const settings = new SettingsService(storeAccessOf(h), testConfig({ AUDIT_RETENTION_DAYS: "30" }));
    await new Monitor({
      store: storeAccessOf(h),
      settings,
      jobs: h.jobs,
      log: createLogger("silent"),
      purgeEveryMs: 0,
    }).tick();
    expect((await auditEvents(h)).map((a) => a.action)).toEqual(["new"]);
    expect(await checkHistory(h)).toHaveLength(1);
    expect((await allSessions(h)).map((r) => r.idHash)).toEqual(["live"]);
  });
});
