import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { auditEvents } from "./factories/audit";
import { checkHistory } from "./factories/checks";
import { mailboxAccessRow, updateMailboxAccess } from "./factories/mailbox-access";
import { setUserState, userRow } from "./factories/users";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "./helpers/server";

announcePostgresSkip();

const PASSWORD = DEMO.serviceAccount.password;

describe.each(testDatabases())("mailbox access, connectivity and checks API on %s", (dialect) => {
  let s: TestServer;
  let sim: ExchangeSimulator;
  let profileId: string;

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 30 }) });
    s = await startTestServer({ dialect, env: { EWS_ALLOWED_HOSTS: "127.0.0.1" } });
    profileId = (await s.admin.post("/profiles", { name: `EWS ${dialect}` })).body.data.id;
  });
  afterAll(async () => {
    await s.close();
    await sim.close();
  });

  const basic = (extra: Record<string, unknown> = {}) => ({
    type: "ews-basic-impersonation",
    accountLogon: DEMO.serviceAccount.logon,
    password: PASSWORD,
    ewsUrl: sim.ewsUrl,
    ...extra,
  });

  it("should require authentication", async () => {
    expect((await s.anonymous.get(`/profiles/${profileId}/mailbox-access`)).status).toBe(401);
    expect((await s.anonymous.put(`/profiles/${profileId}/mailbox-access`, basic())).status).toBe(401);
    expect((await s.anonymous.post(`/profiles/${profileId}/connectivity-tests`, {})).status).toBe(401);
    expect((await s.anonymous.post(`/profiles/${profileId}/checks`, { userIds: ["x"] })).status).toBe(401);
  });

  it("answers {data: null} until configured, and 412 for a connectivity test or check before that", async () => {
    const res = await s.admin.get(`/profiles/${profileId}/mailbox-access`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: null });
    // No ETag until there is a version: a client must not send Express's content hash back as If-Match.
    expect(res.headers.get("etag")).toBeNull();
    expect((await s.admin.post(`/profiles/${profileId}/connectivity-tests`, {})).body.error.id).toBe(
      "precondition_failed",
    );
  });

  it("saves basic impersonated logon: sealed password, never returned or logged, ETag = version", async () => {
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, basic());
    expect(put.status).toBe(200);
    expect(put.headers.get("etag")).toBe('"1"');
    expect(put.body.data).toMatchObject({
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      ewsUrl: sim.ewsUrl,
      passwordSet: true,
      version: 1,
    });
    expect(put.text).not.toContain(PASSWORD);
    const get = await s.admin.get(`/profiles/${profileId}/mailbox-access`);
    expect(get.headers.get("etag")).toBe('"1"');
    expect(get.text).not.toContain(PASSWORD);
    const row = await mailboxAccessRow(s.ctx, profileId);
    expect(row.sealedSecret).toMatch(/^v1\./);
    expect(row.sealedSecret).not.toContain(PASSWORD);
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
    const audit = await auditEvents(s.ctx, { action: "mailbox-access.update", profileId });
    expect(audit.length).toBe(1);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
    expect(s.logs.join("")).not.toContain(PASSWORD);
  });

  it("answers 409 access_unreadable, naming SECRET_KEY, for a password sealed with a key this server lacks", async () => {
    const { sealedSecret } = await mailboxAccessRow(s.ctx, profileId);
    const [version, , iv, body] = sealedSecret!.split(".");
    await updateMailboxAccess(s.ctx, profileId, {
      sealedSecret: [version, "retired-key", iv, body].join("."),
    });
    try {
      for (const res of [
        await s.admin.get(`/profiles/${profileId}/mailbox-access`),
        await s.admin.post(`/profiles/${profileId}/connectivity-tests`, {}),
      ]) {
        expect(res.status).toBe(409);
        expect(res.body.error.id).toBe("access_unreadable");
        expect(res.body.error.message).toMatch(/unknown key.*SECRET_KEY_PREVIOUS/);
      }
    } finally {
      await updateMailboxAccess(s.ctx, profileId, { sealedSecret });
    }
    expect((await s.admin.get(`/profiles/${profileId}/mailbox-access`)).status).toBe(200);
  });

  it("keeps the stored password when omitted, and refuses a stale If-Match with 412", async () => {
    const put = await s.admin.put(
      `/profiles/${profileId}/mailbox-access`,
      // Same host and logon (the password stays bound to them; another one needs it again).
      basic({ password: undefined, ewsUrl: sim.ewsUrl.replace("/EWS/Exchange.asmx", "/ews/exchange.asmx") }),
      { "if-match": '"1"' },
    );
    expect(put.status).toBe(200);
    expect(put.headers.get("etag")).toBe('"2"');
    expect(put.body.data.passwordSet).toBe(true);
    const opened = await s.ctx.services.mailboxAccess.open(profileId);
    expect((opened!.config.secret as { password: string }).password).toBe(PASSWORD);
    const stale = await s.admin.put(`/profiles/${profileId}/mailbox-access`, basic(), { "if-match": '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.id).toBe("precondition_failed");
    expect((await s.admin.get(`/profiles/${profileId}/mailbox-access`)).headers.get("etag")).toBe('"2"');
    const back = await s.admin.put(`/profiles/${profileId}/mailbox-access`, basic(), { "if-match": '"2"' });
    expect(back.headers.get("etag")).toBe('"3"');
  });

  it.each([
    ["a private address", "https://10.0.0.5/EWS/Exchange.asmx", /private/],
    ["the metadata address", "https://169.254.169.254/EWS/Exchange.asmx", /metadata/],
    ["plain http", "http://mail.contoso.com/EWS/Exchange.asmx", /https/],
    ["not a URL", "mail.contoso.com", /URL/],
  ])("refuses an EWS URL with %s (400) and changes nothing", async (_label, ewsUrl, message) => {
    const before = (await s.admin.get(`/profiles/${profileId}/mailbox-access`)).headers.get("etag");
    const res = await s.admin.put(`/profiles/${profileId}/mailbox-access`, basic({ ewsUrl }));
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("validation_failed");
    expect(res.body.error.message).toMatch(message);
    expect((await s.admin.get(`/profiles/${profileId}/mailbox-access`)).headers.get("etag")).toBe(before);
  });

  it("refuses a first save without a password and an unknown type", async () => {
    const other = (await s.admin.post("/profiles", { name: `No password ${dialect}` })).body.data.id;
    const res = await s.admin.put(`/profiles/${other}/mailbox-access`, basic({ password: undefined }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/password/);
    expect((await s.admin.put(`/profiles/${other}/mailbox-access`, { type: "carrier-pigeon" })).status).toBe(
      400,
    );
  });

  it("warns that Exchange Online no longer allows Basic or impersonation", async () => {
    const other = (await s.admin.post("/profiles", { name: `Online ${dialect}` })).body.data.id;
    const res = await s.admin.put(
      `/profiles/${other}/mailbox-access`,
      basic({ ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx" }),
    );
    expect(res.status).toBe(200);
    expect(res.body.warnings.join(" ")).toMatch(/Exchange Online no longer allows Basic.*app-only/);
    expect((await s.admin.get(`/profiles/${other}/mailbox-access`)).body.data.warnings.join(" ")).toMatch(
      /app-only/,
    );
  });

  it("runs the connectivity test step by step and keeps it as the latest", async () => {
    const res = await s.admin.post(`/profiles/${profileId}/connectivity-tests`, {
      targetUser: "alex.vance@contoso.com",
      outOfScopeUser: DEMO.blockedUser,
    });
    expect(res.status).toBe(200);
    const steps = res.body.data.steps as { name: string; status: string; ms: number }[];
    expect(steps.map((x) => x.status)).toEqual([
      "passed",
      "passed",
      "passed",
      "passed",
      "passed",
      "passed",
      "passed",
    ]);
    expect(steps[0].name).toBe("Resolve EWS URL");
    expect(steps.at(-2)!.name).toBe("Room lists and rooms");
    // Then what Exchange tells of the service account's password (the demo account's never expires).
    expect(steps.at(-1)).toMatchObject({
      name: "Service account password expiry",
      detail: expect.stringMatching(/never expires/),
    });
    const latest = await s.admin.get(`/profiles/${profileId}/connectivity-tests/latest`);
    expect(latest.body.data).toMatchObject({ id: res.body.data.id, ok: true });
    const audit = await auditEvents(s.ctx, { action: "connectivity.test", profileId });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].after!)).toEqual({ ok: true, failed: [], warnings: [] });
  });

  it("fails the authentication step for a wrong password and skips the rest", async () => {
    const other = (await s.admin.post("/profiles", { name: `Wrong ${dialect}` })).body.data.id;
    await s.admin.put(`/profiles/${other}/mailbox-access`, basic({ password: "not-the-password" }));
    const steps = (
      await s.admin.post(`/profiles/${other}/connectivity-tests`, { targetUser: "alex.vance@contoso.com" })
    ).body.data.steps;
    expect(steps[1]).toMatchObject({ name: "Authenticate", status: "failed", code: "Unauthorized" });
    expect(steps.slice(2).every((x: { status: string }) => x.status === "skipped")).toBe(true);
    expect(JSON.stringify(steps)).not.toContain("not-the-password");
  });

  it("says Basic is not enabled on EWS when the server offers only Negotiate/NTLM", async () => {
    const other = (await s.admin.post("/profiles", { name: `Negotiate ${dialect}` })).body.data.id;
    await s.admin.put(`/profiles/${other}/mailbox-access`, basic());
    sim.setTenant({ ...demoTenant({ users: 30 }), server: { basicAuthEnabled: false } });
    try {
      const steps = (await s.admin.post(`/profiles/${other}/connectivity-tests`, {})).body.data.steps;
      expect(steps[1]).toMatchObject({ name: "Authenticate", status: "failed", code: "BasicAuthNotEnabled" });
      expect(steps[1].detail).toMatch(/Basic authentication is not enabled on EWS/);
      expect(steps[1].remediation).toContain("Set-WebServicesVirtualDirectory");
    } finally {
      sim.setTenant(demoTenant({ users: 30 }));
    }
  });

  it("answers autodiscover with its steps, refusing what the URL policy forbids", async () => {
    const res = await s.admin.post("/autodiscover", { email: "jane.doe@contoso.com", profileId });
    expect(res.status).toBe(200);
    expect(res.body.data.ewsUrl).toBeNull();
    expect(res.body.data.steps.at(-1)).toMatchObject({
      name: "Resolve EWS URL",
      status: "failed",
      code: "AutodiscoverFailed",
    });
    expect(res.text).not.toContain(PASSWORD);
    expect((await s.admin.post("/autodiscover", { email: "not an address" })).status).toBe(400);
  });

  it("warns when the service account has no mailbox, naming the missing mailbox/license", async () => {
    const other = (await s.admin.post("/profiles", { name: `No mailbox ${dialect}` })).body.data.id;
    await s.admin.put(
      `/profiles/${other}/mailbox-access`,
      basic({
        accountLogon: DEMO.serviceAccountWithoutMailbox.logon,
        password: DEMO.serviceAccountWithoutMailbox.password,
      }),
    );
    const steps = (
      await s.admin.post(`/profiles/${other}/connectivity-tests`, { targetUser: "alex.vance@contoso.com" })
    ).body.data.steps;
    const own = steps.find((x: { name: string }) => x.name === "Service account mailbox");
    expect(own).toMatchObject({ status: "warning", code: "ErrorMissingEmailAddress" });
    expect(own.detail).toMatch(/no mailbox or no Exchange license/);
    expect(steps.find((x: { name: string }) => x.name.startsWith("Impersonate")).status).toBe("passed");
  });

  it("checks users now: states per DESIGN.md, errors with remediation, mailbox kind", async () => {
    const addresses = [
      "alex.vance@contoso.com",
      "room-101@contoso.com",
      DEMO.blockedUser,
      DEMO.alias,
      DEMO.noMailboxAddress,
      "bianca.vance@contoso.com",
    ];
    const added = await s.admin.post(`/profiles/${profileId}/users`, { text: addresses.join("\n") });
    expect(added.status).toBe(200);
    const list = (await s.admin.get(`/profiles/${profileId}/users?limit=100`)).body.data as {
      id: string;
      address: string;
    }[];
    const id = (a: string) => list.find((u) => u.address.toLowerCase() === a.toLowerCase())!.id;
    // bianca is already active: a failing check must turn her to error; the others stay not-activated.
    await setUserState(s.ctx, id("bianca.vance@contoso.com"), { state: "active" });
    sim.faults.byMailbox["bianca.vance@contoso.com"] = "moveInProgress";
    const res = await s.admin.post(`/profiles/${profileId}/checks`, { userIds: addresses.map(id) });
    sim.faults.byMailbox = {};
    expect(res.status).toBe(200);
    const by = new Map(
      (res.body.data as { address: string }[]).map((r) => [
        r.address.toLowerCase(),
        r as Record<string, any>,
      ]),
    );
    expect(by.get("alex.vance@contoso.com")).toMatchObject({
      ok: true,
      state: "not-activated",
      mailboxKind: "user",
      error: null,
    });
    expect(by.get("room-101@contoso.com")).toMatchObject({ ok: true, mailboxKind: "room" });
    expect(by.get(DEMO.blockedUser)!.error).toMatchObject({
      code: "ErrorImpersonateUserDenied",
      transient: false,
    });
    expect(by.get(DEMO.alias)!.error.message).toContain(DEMO.user.address);
    expect(by.get(DEMO.noMailboxAddress)!.error.code).toBe("ErrorNonExistentMailbox");
    expect(by.get("bianca.vance@contoso.com")).toMatchObject({ ok: false, state: "error" });

    const blocked = (await s.admin.get(`/users/${id(DEMO.blockedUser)}`)).body.data;
    expect(blocked.state).toBe("not-activated");
    expect(blocked.lastError.code).toBe("ErrorImpersonateUserDenied");
    expect(blocked.lastError.remediation).toContain("ApplicationImpersonation");
    expect(blocked.lastCheckedAt).toBeTruthy();
    const { mailboxKind, state } = await userRow(s.ctx, { id: id("room-101@contoso.com") });
    const room = { mailboxKind, state };
    expect(room).toEqual({ mailboxKind: "room", state: "not-activated" });
    const history = await checkHistory(s.ctx, { userId: id("bianca.vance@contoso.com") });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ ok: 0, code: "ErrorMailboxMoveInProgress" });
  });

  it("answers a check Exchange refused as busy with backOffMs, and leaves the user's state and last error as they were", async () => {
    const list = (await s.admin.get(`/profiles/${profileId}/users?limit=100`)).body.data as {
      id: string;
      address: string;
    }[];
    const bianca = list.find((u) => u.address.toLowerCase() === "bianca.vance@contoso.com")!.id;
    const lastError = JSON.stringify({ code: "ErrorMailboxMoveInProgress", message: "m", remediation: "r" });
    await setUserState(s.ctx, bianca, {
      state: "active",
      lastError,
      lastCheckedAt: "2026-01-01T00:00:00.000Z",
    });
    const historyBefore = await checkHistory(s.ctx, { userId: bianca });
    sim.faults.byMailbox["bianca.vance@contoso.com"] = "serverBusy";
    sim.faults.backOffMs = 1_500;
    const res = await s.admin.post(`/profiles/${profileId}/checks`, { userIds: [bianca] });
    sim.faults.byMailbox = {};
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({
      ok: false,
      state: "active",
      backOffMs: 1_500,
      error: { code: "ErrorServerBusy", transient: true },
    });
    const { state, lastError: storedError, lastCheckedAt } = await userRow(s.ctx, { id: bianca });
    const user = { state, lastError: storedError, lastCheckedAt };
    expect(user).toEqual({ state: "active", lastError, lastCheckedAt: "2026-01-01T00:00:00.000Z" });
    const historyAfter = await checkHistory(s.ctx, { userId: bianca });
    expect(historyAfter).toHaveLength(historyBefore.length);
  });

  it("rate limits connectivity tests per admin and profile (429 rate_limited)", async () => {
    const other = (await s.admin.post("/profiles", { name: `Rate ${dialect}` })).body.data.id;
    await s.admin.put(`/profiles/${other}/mailbox-access`, basic());
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await s.admin.post(`/profiles/${other}/connectivity-tests`, {})).status);
    }
    expect(statuses.slice(0, 10).every((x) => x === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("refuses more than 50 users, unknown ids and users of another profile", async () => {
    expect(
      (
        await s.admin.post(`/profiles/${profileId}/checks`, {
          userIds: Array.from({ length: 51 }, (_, i) => `u${i}`),
        })
      ).status,
    ).toBe(400);
    const res = await s.admin.post(`/profiles/${profileId}/checks`, { userIds: ["no-such-user"] });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("validation_failed");
  });
});
