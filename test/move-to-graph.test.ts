import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../server/ews-simulator";
import {
  ApiClient,
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "./helpers/server";
import {
  APPS,
  IN_SCOPE,
  OUT_OF_SCOPE,
  startAppOnlyStack,
  TEST_TENANT_ID,
  type AppOnlyStack,
} from "./app-only-helpers";
import { finishedJob } from "./helpers/job-events";
import { realDelay } from "./helpers/real-delay";

announcePostgresSkip();

type User = {
  id: string;
  address: string;
  state: string;
  lastError: { code: string; message: string } | null;
};
type Migration = {
  id: string;
  status: string;
  roles: string[];
  setupScript: string;
  counts: { pass: number; fail: number; onPremises: number; unchecked: number };
  users: {
    address: string;
    category: string;
    code: string | null;
    remediation: string | null;
    recheck: string | null;
    state: string;
  }[];
  outOfScope: { refused: boolean; detail: string } | null;
  limitations: { id: string; flagged: boolean }[];
  dryRunJobId: string;
  recheckJobId: string | null;
  rollbackUntil: string | null;
};

/** A mailbox that lives on-premises in the hybrid tenant: Graph can't reach it. */
const ON_PREMISES = "alex.vance@contoso.com";
/** In the profile but outside the app's management scope. */
const NOT_COVERED = OUT_OF_SCOPE[1];
const DAY = 86_400_000;

describe.each(testDatabases())("Move to Graph on %s", (dialect) => {
  let stack: AppOnlyStack;
  let s: TestServer;
  let sync: ApiClient;
  let profileId: string;

  const waitJob = (id: string) =>
    finishedJob<{ state: string; reason: string | null; progress: { total: number } }>(s.admin, id);
  const users = async (id = profileId) =>
    new Map(
      ((await s.admin.get(`/profiles/${id}/users?limit=100`)).body.data as User[]).map((u) => [u.address, u]),
    );
  const access = { tenantId: TEST_TENANT_ID, clientId: APPS.scopedSecret.clientId };

  beforeAll(async () => {
    stack = await startAppOnlyStack();
    const tenant = stack.sim.tenant;
    stack.sim.setTenant({
      ...tenant,
      mailboxes: tenant.mailboxes.map((m) =>
        m.primarySmtpAddress === ON_PREMISES ? { ...m, onPremises: true } : m,
      ),
    });
    s = await startTestServer({ dialect, env: stack.env });
    profileId = (await s.admin.post("/profiles", { name: `EWS app-only ${dialect}` })).body.data.id;
    await s.admin.post(`/profiles/${profileId}/users`, { text: [...IN_SCOPE, NOT_COVERED].join("\n") });
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-app-only",
      ...access,
      clientSecret: APPS.scopedSecret.secret,
      ewsUrl: stack.sim.ewsUrl,
    });
    expect(put.status).toBe(200);
    const activation = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    expect((await waitJob(activation.body.data.id)).state).toBe("done");
    const key = await s.admin.post("/service-keys", {
      name: "CRM",
      scopes: ["roster:read", "ews:proxy"],
      profileId,
    });
    sync = new ApiClient(s.url, { authorization: `Bearer ${key.body.data.key}` });
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await stack?.close();
  });

  it("refuses what it can't do: no session, a job kind of its own, bad input, a profile not on EWS", async () => {
    expect((await s.anonymous.post(`/profiles/${profileId}/migrations`, {})).status).toBe(401);
    const job = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "migrate-dry-run" });
    expect(job.status).toBe(400);
    const noTarget = await s.admin.post(`/profiles/${profileId}/migrations`, {
      to: "graph-app-only",
      access,
    });
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.error.id).toBe("validation_failed");
    const graphProfile = (await s.admin.post("/profiles", { name: `Already Graph ${dialect}` })).body.data.id;
    await s.admin.put(`/profiles/${graphProfile}/mailbox-access`, {
      type: "graph-app-only",
      ...access,
      clientSecret: APPS.scopedSecret.secret,
    });
    const already = await s.admin.post(`/profiles/${graphProfile}/migrations`, {
      to: "graph-app-only",
      access,
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(already.status).toBe(409);
    expect((await s.admin.get("/migrations/nope")).status).toBe(404);
  });

  let migration: Migration;
  let beforeApply: Map<string, User>;
  let appliedAt: number;

  it("dry run: every user checked through Graph per role, counted by category, states untouched", async () => {
    const before = await users();
    // Same app as the EWS access, but its secret is bound to the EWS host: entered again.
    const unbound = await s.admin.post(`/profiles/${profileId}/migrations`, {
      to: "graph-app-only",
      access,
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(unbound.status).toBe(400);
    expect(unbound.body.error.details[0].path).toBe("certificatePem");
    const started = await s.admin.post(`/profiles/${profileId}/migrations`, {
      to: "graph-app-only",
      access: { ...access, clientSecret: APPS.scopedSecret.secret },
      outOfScopeUser: OUT_OF_SCOPE[0],
      needs: { archive: true, publicFolders: false },
    });
    expect(started.status, started.text).toBe(202);
    expect(started.text).not.toContain(APPS.scopedSecret.secret);
    const job = await waitJob(started.body.data.dryRunJobId);
    expect(job.state, job.reason ?? "").toBe("done");
    migration = (await s.admin.get(`/migrations/${started.body.data.id}`)).body.data;
    expect(migration.status).toBe("ready");
    // ews:proxy writes: Mail.Send and Contacts.ReadWrite join the read roles, and the PowerShell grants them.
    expect(migration.roles).toEqual([
      "Application MailboxSettings.Read",
      "Application Mail.ReadWrite",
      "Application Calendars.ReadWrite",
      "Application Mail.Send",
      "Application Contacts.ReadWrite",
    ]);
    for (const role of migration.roles) expect(migration.setupScript).toContain(`-Role "${role}"`);
    expect(migration.counts).toEqual({ pass: IN_SCOPE.length - 1, fail: 1, onPremises: 1, unchecked: 0 });
    const byAddress = new Map(migration.users.map((u) => [u.address, u]));
    expect(byAddress.get(ON_PREMISES)).toMatchObject({
      category: "on-premises",
      code: "MailboxNotEnabledForRESTAPI",
    });
    expect(byAddress.get(ON_PREMISES)?.remediation).toMatch(/Split the profile/);
    expect(byAddress.get(NOT_COVERED)).toMatchObject({ category: "fail", code: "ErrorAccessDenied" });
    expect(byAddress.get(NOT_COVERED)?.remediation).toContain('-Role "Application MailboxSettings.Read"');
    expect(migration.users[0].category).not.toBe("pass"); // failures first
    expect(migration.outOfScope).toMatchObject({ refused: true });
    expect(migration.limitations.find((l) => l.id === "archive")?.flagged).toBe(true);
    expect(migration.limitations.find((l) => l.id === "mail-send")?.flagged).toBe(true);
    // Every role was tried on each in-scope user (contacts too, for the write key).
    const c = stack.sim.graph.counters;
    expect(c.byOperation.contacts).toBeGreaterThanOrEqual(IN_SCOPE.length - 1);
    const after = await users();
    for (const [address, u] of before) expect(after.get(address)?.state, address).toBe(u.state);
    expect((await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data.type).toBe("ews-app-only");
  });

  it("apply: a new access version, states kept, every mailbox bumped in the roster; the failed users rechecked", async () => {
    beforeApply = await users();
    const etag = (await s.admin.get(`/profiles/${profileId}/mailbox-access`)).headers.get("etag");
    const since = new Date().toISOString();
    await realDelay(5, "a later timestamp than `since`");
    const applied = await s.admin.post(`/migrations/${migration.id}/apply`);
    expect(applied.status, applied.text).toBe(200);
    appliedAt = Date.now();
    expect(applied.body.data.status).toBe("applied");
    const now = await s.admin.get(`/profiles/${profileId}/mailbox-access`);
    expect(now.body.data.type).toBe("graph-app-only");
    expect(Number(JSON.parse(now.headers.get("etag")!))).toBe(Number(JSON.parse(etag!)) + 1);
    // States are as before apply (the recheck may already have run: only its two users may change).
    const states = await users();
    for (const [address, u] of beforeApply) {
      if (address !== ON_PREMISES && address !== NOT_COVERED) {
        expect(states.get(address)?.state, address).toBe(u.state);
      }
    }
    const roster = await sync.get(`/sync/mailboxes?updatedSince=${encodeURIComponent(since)}&limit=100`);
    expect(roster.status).toBe(200);
    const rows = roster.body.data as { address: string; accessType: string }[];
    expect(rows.map((r) => r.address).sort()).toEqual([...beforeApply.keys()].sort());
    expect(new Set(rows.map((r) => r.accessType))).toEqual(new Set(["graph-app-only"]));
    const audit = await s.admin.get(`/audit-events?profileId=${profileId}`);
    expect(audit.text).toContain("migration.apply");
    expect(audit.text).not.toContain(APPS.scopedSecret.secret);
    expect((await s.admin.post(`/migrations/${migration.id}/apply`)).status).toBe(409);
  });

  it("the recheck moves the users still failing to error, saying the roles may still be applying", async () => {
    const m: Migration = (await s.admin.get(`/migrations/${migration.id}`)).body.data;
    expect(m.recheckJobId).not.toBeNull();
    const job = await waitJob(m.recheckJobId!);
    expect(job).toMatchObject({ state: "done", progress: { total: 2 } });
    const after = await users();
    expect(beforeApply.get(ON_PREMISES)?.state).toBe("active");
    expect(after.get(ON_PREMISES)).toMatchObject({
      state: "error",
      lastError: { code: "MailboxNotEnabledForRESTAPI" },
    });
    expect(after.get(NOT_COVERED)?.state).toBe("error");
    expect(after.get(NOT_COVERED)?.lastError?.message).toMatch(
      /may still be applying.*try again at \d\d:\d\d UTC/i,
    );
    for (const address of IN_SCOPE.filter((a) => a !== ON_PREMISES)) {
      expect(after.get(address)?.state).toBe("active");
    }
    const recheck = (await s.admin.get(`/migrations/${migration.id}`)).body.data.users as Migration["users"];
    expect(recheck.find((u) => u.address === NOT_COVERED)?.recheck).toBe("fail");
  });

  it("roll back: refused after 30 days, done within them with no secret re-entered, audited", async () => {
    const service = s.ctx.services.migrations;
    const clock = service.now;
    try {
      service.now = () => appliedAt + 31 * DAY;
      const late = await s.admin.post(`/migrations/${migration.id}/rollback`);
      expect(late.status).toBe(409);
      expect(late.body.error.id).toBe("rollback_expired");
      expect((await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data.type).toBe(
        "graph-app-only",
      );
      service.now = () => appliedAt + 29 * DAY;
      const back = await s.admin.post(`/migrations/${migration.id}/rollback`);
      expect(back.status, back.text).toBe(200);
      expect(back.body.data.status).toBe("rolled-back");
    } finally {
      service.now = clock;
    }
    const restored = await s.admin.get(`/profiles/${profileId}/mailbox-access`);
    expect(restored.body.data).toMatchObject({
      type: "ews-app-only",
      ewsUrl: stack.sim.ewsUrl,
      clientSecretSet: true,
    });
    // The restored access works on EWS at once: a check now of an in-scope user passes.
    const adele = (await users()).get("adele.vance@contoso.com")!;
    const check = await s.admin.post(`/profiles/${profileId}/checks`, { userIds: [adele.id] });
    expect(check.body.data[0]).toMatchObject({ ok: true, state: "active" });
    const audit = await s.admin.get(`/audit-events?profileId=${profileId}`);
    expect(audit.text).toContain("migration.rollback");
    expect((await s.admin.post(`/migrations/${migration.id}/rollback`)).status).toBe(409);
  });

  it("moves a basic impersonation profile (on-premises to cloud) with the app's secret entered", async () => {
    const basic = (await s.admin.post("/profiles", { name: `Basic ${dialect}` })).body.data.id;
    await s.admin.post(`/profiles/${basic}/users`, {
      text: "adele.wilber@contoso.com\nalex.wilber@contoso.com",
    });
    await s.admin.put(`/profiles/${basic}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: stack.sim.ewsUrl,
    });
    const noSecret = await s.admin.post(`/profiles/${basic}/migrations`, {
      to: "graph-app-only",
      access,
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(noSecret.status).toBe(400);
    const started = await s.admin.post(`/profiles/${basic}/migrations`, {
      to: "graph-app-only",
      access: { ...access, clientSecret: APPS.scopedSecret.secret },
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(started.status, started.text).toBe(202);
    expect((await waitJob(started.body.data.dryRunJobId)).state).toBe("done");
    const m: Migration = (await s.admin.get(`/profiles/${basic}/migrations/latest`)).body.data;
    expect(m).toMatchObject({ status: "ready", counts: { pass: 2, fail: 0, onPremises: 0 } });
    // No key may write: read roles only.
    expect(m.roles).not.toContain("Application Mail.Send");
    const applied = await s.admin.post(`/migrations/${m.id}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.body.data.recheckJobId).toBeNull();
    const u = await users(basic);
    expect([...u.values()].map((x) => x.state)).toEqual(["not-activated", "not-activated"]);
  });
});
