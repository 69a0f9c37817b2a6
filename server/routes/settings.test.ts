import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../test/factories/audit";
import {
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "../../test/helpers/server";

announcePostgresSkip();

describe.each(testDatabases())("settings API on %s", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      dialect,
      env: { MONITOR_INTERVAL_MINUTES: "15", EWS_ALLOWED_HOSTS: "127.0.0.1" },
    });
  });
  afterAll(() => s.close());

  it("should require authentication", async () => {
    expect((await s.anonymous.get("/settings")).status).toBe(401);
    expect((await s.anonymous.put("/settings", { monitorIntervalMinutes: 5 })).status).toBe(401);
  });

  it("starts from the configuration's defaults", async () => {
    const res = await s.admin.get("/settings");
    expect(res.body.data).toEqual({
      alertWebhookUrl: null,
      monitorIntervalMinutes: 15,
      alertFailureShare: 0.5,
      auditRetentionDays: 365,
      jobsDeadlineHours: 24,
      oauthStaleHours: 24,
    });
  });

  it("stores changes, keeps fields left out, and audits without the webhook's secret path", async () => {
    const secretPath = "/hooks/T000/B111/very-secret-token";
    const res = await s.admin.put("/settings", {
      alertWebhookUrl: `https://hooks.example.com${secretPath}`,
      alertFailureShare: 0.25,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      alertWebhookUrl: `https://hooks.example.com${secretPath}`,
      monitorIntervalMinutes: 15,
      alertFailureShare: 0.25,
      auditRetentionDays: 365,
      jobsDeadlineHours: 24,
      oauthStaleHours: 24,
    });
    await s.admin.put("/settings", { auditRetentionDays: 30, jobsDeadlineHours: 48 });
    expect(await s.ctx.services.settings.effective()).toMatchObject({
      alertFailureShare: 0.25,
      auditRetentionDays: 30,
      jobsDeadlineHours: 48,
    });
    const audit = await auditEvents(s.ctx, { action: "settings.update" });
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain("very-secret-token");
    expect(JSON.parse(audit[0].after!).alertWebhookUrl).toBe("https://hooks.example.com/…");
    expect(s.logs.join("")).not.toContain("very-secret-token");
    expect((await s.admin.put("/settings", { alertWebhookUrl: null })).body.data.alertWebhookUrl).toBeNull();
  });

  it("refuses webhook URLs outside the outbound URL policy with a field error; EWS_ALLOWED_HOSTS opens nothing", async () => {
    const before = (await s.admin.get("/settings")).body.data;
    for (const url of [
      "http://127.0.0.1:9999/hook", // listed in EWS_ALLOWED_HOSTS here: still refused
      "https://127.0.0.1/hook",
      "https://10.0.0.1/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/hook",
      "https://[64:ff9b::7f00:1]/hook",
      "https://168.63.129.16/machine",
      "https://localhost/hook",
      "http://localhost:9999/hook",
      "http://hooks.example.com/x",
      "https://user:pw@hooks.example.com/x",
    ]) {
      const res = await s.admin.put("/settings", { alertWebhookUrl: url });
      expect(res.status, url).toBe(400);
      expect(res.body.error.details, url).toEqual([expect.objectContaining({ path: "alertWebhookUrl" })]);
    }
    expect((await s.admin.get("/settings")).body.data).toEqual(before);
  });

  it("answers 4xx with a useful message for bad bodies and changes nothing", async () => {
    const before = (await s.admin.get("/settings")).body.data;
    const cases: [unknown, number][] = [
      [{}, 400],
      [{ monitorIntervalMinutes: "5" }, 400],
      [{ monitorIntervalMinutes: -1 }, 400],
      [{ alertFailureShare: 1.5 }, 400],
      [{ auditRetentionDays: 0 }, 400],
      [{ jobsDeadlineHours: 0 }, 400],
      [{ jobsDeadlineHours: 1.5 }, 400],
      [{ alertWebhookUrl: "ftp://x.example.com" }, 400],
      [{ colour: "red" }, 400],
      ["{nope", 400],
      [{ alertWebhookUrl: `https://x.example.com/${"a".repeat(3 * 1024 * 1024)}` }, 413],
    ];
    for (const [body, status] of cases) {
      const res = await s.admin.request(
        "PUT",
        "/settings",
        typeof body === "string" ? body : JSON.stringify(body),
      );
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(status);
      expect(res.body.error.message.length).toBeGreaterThan(5);
    }
    expect((await s.admin.get("/settings")).body.data).toEqual(before);
  });

  it("refuses profile admins", async () => {
    const pa = { kind: "entra" as const, id: "o", name: "pa@x.com", upn: "pa@x.com", platformAdmin: false };
    await expect(s.ctx.services.settings.get(pa)).rejects.toMatchObject({ status: 403 });
    await expect(s.ctx.services.settings.update(pa, { auditRetentionDays: 2 })).rejects.toMatchObject({
      status: 403,
    });
  });
});
