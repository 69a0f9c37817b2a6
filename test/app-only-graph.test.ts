import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type DialectName,
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

announcePostgresSkip();

type Step = { name: string; status: string; code?: string; detail: string; remediation?: string };
type User = {
  id: string;
  address: string;
  state: string;
  mailboxKind: string | null;
  lastError: { code: string; message: string } | null;
};
const stepNamed = (steps: Step[], prefix: string) => steps.find((s) => s.name.startsWith(prefix));

describe.each(testDatabases())("Graph app-only access type on %s", (dialect: DialectName) => {
  let stack: AppOnlyStack;
  let s: TestServer;
  let profileId: string;
  const configure = (body: Record<string, unknown>) =>
    s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "graph-app-only",
      tenantId: TEST_TENANT_ID,
      ...body,
    });
  const connectivity = async (body: Record<string, unknown> = {}) => {
    const r = await s.admin.post(`/profiles/${profileId}/connectivity-tests`, body);
    expect(r.status).toBe(200);
    return r.body.data.steps as Step[];
  };
  const users = async () =>
    new Map(
      ((await s.admin.get(`/profiles/${profileId}/users?limit=100`)).body.data as User[]).map((u) => [
        u.address,
        u,
      ]),
    );
  const activate = async () => {
    const job = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    expect(job.status).toBe(202);
    return finishedJob(s.admin, job.body.data.id);
  };

  beforeAll(async () => {
    stack = await startAppOnlyStack();
    s = await startTestServer({ dialect, env: stack.env });
    profileId = (await s.admin.post("/profiles", { name: `Graph app-only ${dialect}` })).body.data.id;
    await s.admin.post(`/profiles/${profileId}/users`, {
      text: [...IN_SCOPE, ...OUT_OF_SCOPE, "no.mailbox@contoso.com"].join("\n"),
    });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await stack?.close();
  });

  it("configures the type with a certificate: Graph base URL from GRAPH_BASE_URL, permissions and PowerShell shown, no key returned", async () => {
    const put = await configure({
      clientId: APPS.scopedCertificate.clientId,
      certificatePem: stack.certificate.pem,
      servicePrincipalObjectId: "11111111-2222-4333-8444-555555555555",
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({
      type: "graph-app-only",
      label: "Microsoft 365 app-only (Graph API)",
      credential: "certificate",
      graphBaseUrl: stack.sim.graph.baseUrl,
      clientSecretSet: false,
    });
    expect(put.body.data.permissions).toEqual([
      "Mail.ReadWrite",
      "Calendars.ReadWrite",
      "MailboxSettings.Read",
      "Place.Read.All",
    ]);
    expect(put.body.data.setupScript).toContain(
      `New-ServicePrincipal -AppId "${APPS.scopedCertificate.clientId}" -ObjectId "11111111-2222-4333-8444-555555555555"`,
    );
    expect(put.body.data.setupScript).toContain('-Role "Application Mail.ReadWrite" -CustomResourceScope');
    expect(put.body.data.setupScript).not.toContain("EwsAllowedAppIDs");
    expect(put.text).not.toContain(stack.certificate.pem.split("PRIVATE KEY-----\n")[1].split("\n")[2]);
  });

  it("passes the connectivity test for the scoped setup", async () => {
    const steps = await connectivity({
      targetUser: "adele.vance@contoso.com",
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(
      steps.map((x) => x.status),
      JSON.stringify(steps, null, 1),
    ).toEqual(["passed", "passed", "passed", "passed", "passed", "passed"]);
    expect(stepNamed(steps, "Microsoft Graph reachable")).toBeDefined();
    expect(stepNamed(steps, "Read ")?.detail).toMatch(/mailbox settings.*Inbox and default calendar/);
    expect(stepNamed(steps, "Out-of-scope")?.detail).toMatch(/ErrorAccessDenied/);
    expect(stepNamed(steps, "Rooms")?.detail).toMatch(/^10 room\(s\)/);
  });

  it("checks users: in scope active (room kind from /places), out of scope 403, unknown 404", async () => {
    const before = await users();
    const ids = [...before.values()].map((u) => u.id);
    const r = await s.admin.post(`/profiles/${profileId}/checks`, { userIds: ids });
    expect(r.status).toBe(200);
    const after = await users();
    expect(after.get("room-101@contoso.com")?.mailboxKind).toBe("room");
    expect(after.get("adele.vance@contoso.com")?.mailboxKind).toBe("user");
    expect(after.get(OUT_OF_SCOPE[1])?.lastError).toMatchObject({ code: "ErrorAccessDenied" });
    expect(after.get("no.mailbox@contoso.com")?.lastError).toMatchObject({ code: "ErrorInvalidUser" });
  });

  it("honours 429 Retry-After in bulk activation: no call during the wait, every user ends in the right state", async () => {
    stack.sim.resetCounters();
    stack.sim.graph.faults.retryAfterSeconds = 1;
    stack.sim.graph.faults.throttleNext = 1;
    expect((await activate()).state).toBe("done");
    const c = stack.sim.graph.counters;
    // One 429 injected; calls already in flight when it was sent get one too (counted apart), none after.
    expect(c.byOutcome["429 TooManyRequests"]).toBe(1 + c.callsInFlightAtThrottle);
    expect(c.callsDuringRetryAfter).toBe(0);
    const throttled = c.calls.find((x) => x.status === 429)!;
    const throttledAt = throttled.at;
    // The hold is the throttled mailbox's (Graph limits an app per mailbox).
    const next = c.calls.find((x) => x.at > throttledAt && x.status !== 429 && x.target === throttled.target);
    expect(next!.at - throttledAt).toBeGreaterThanOrEqual(990);
    const after = await users();
    for (const a of IN_SCOPE) expect(after.get(a)?.state, a).toBe("active");
    for (const a of OUT_OF_SCOPE) {
      expect(after.get(a)).toMatchObject({ state: "error", lastError: { code: "ErrorAccessDenied" } });
    }
    expect(after.get("no.mailbox@contoso.com")).toMatchObject({
      state: "error",
      lastError: { code: "ErrorInvalidUser" },
    });
  });

  it("warns when rooms can't be read without Place.Read.All (secret app, empty roles)", async () => {
    expect(
      (await configure({ clientId: APPS.scopedSecret.clientId, clientSecret: APPS.scopedSecret.secret }))
        .status,
    ).toBe(200);
    const steps = await connectivity({
      targetUser: "adele.vance@contoso.com",
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(stepNamed(steps, "Token roles")).toMatchObject({ status: "passed" });
    expect(stepNamed(steps, "Token roles")?.detail).toMatch(/roles claim is empty/);
    expect(stepNamed(steps, "Rooms")).toMatchObject({ status: "warning" });
    expect(stepNamed(steps, "Rooms")?.remediation).toContain("Place.Read.All");
  });

  it("warns loudly for tenant-wide consent", async () => {
    expect(
      (await configure({ clientId: APPS.tenantWide.clientId, clientSecret: APPS.tenantWide.secret })).status,
    ).toBe(200);
    const steps = await connectivity({
      targetUser: "adele.vance@contoso.com",
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(stepNamed(steps, "Token roles")).toMatchObject({ status: "warning", code: "TenantWideConsent" });
    expect(stepNamed(steps, "Out-of-scope")).toMatchObject({
      status: "warning",
      code: "OutOfScopeReachable",
    });
  });

  it("fails clearly for a wrong tenant (AADSTS90002)", async () => {
    expect(
      (
        await configure({
          tenantId: "fabrikam.onmicrosoft.com",
          clientId: APPS.scopedSecret.clientId,
          clientSecret: APPS.scopedSecret.secret,
        })
      ).status,
    ).toBe(200);
    const steps = await connectivity();
    expect(steps[0]).toMatchObject({ status: "failed", code: "AppTenantNotFound" });
    expect(steps[0].detail).toContain("AADSTS90002");
  });

  it("fails clearly for a bad secret and stops bulk work with one reason", async () => {
    expect(
      (await configure({ clientId: APPS.scopedSecret.clientId, clientSecret: "definitely-wrong-secret" }))
        .status,
    ).toBe(200);
    const steps = await connectivity();
    expect(steps[0]).toMatchObject({ status: "failed", code: "AppSecretInvalid" });
    expect(steps[0].remediation).toMatch(/Certificates & secrets/);
    const job = await activate();
    expect(job.state).toBe("failed");
    expect(job.reason).toMatch(/client secret/);
    const logs = s.logs.join("\n");
    expect(logs).not.toContain("definitely-wrong-secret");
    expect(logs).not.toContain(APPS.scopedSecret.secret);
  });
});
