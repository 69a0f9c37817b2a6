import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type ApiResponse,
  type DialectName,
  type TestServer,
} from "./helpers/server";
import {
  appCertificate,
  APPS,
  IN_SCOPE,
  OUT_OF_SCOPE,
  startAppOnlyStack,
  TEST_TENANT_ID,
  type AppOnlyStack,
} from "./app-only-helpers";
import { mailboxAccessRows } from "./factories/mailbox-access";
import { finishedJob } from "./helpers/job-events";

announcePostgresSkip();

type Step = { name: string; status: string; code?: string; detail: string; remediation?: string };
const stepNamed = (steps: Step[], prefix: string) => steps.find((s) => s.name.startsWith(prefix));

describe.each(testDatabases())("EWS app-only access type on %s", (dialect: DialectName) => {
  let stack: AppOnlyStack;
  let s: TestServer;
  let profileId: string;
  const seen: string[] = [];
  const record = <T extends ApiResponse>(r: T): T => {
    seen.push(r.text);
    return r;
  };
  const configure = (body: Record<string, unknown>, headers?: Record<string, string>) =>
    s.admin
      .put(
        `/profiles/${profileId}/mailbox-access`,
        { type: "ews-app-only", tenantId: TEST_TENANT_ID, ewsUrl: stack.sim.ewsUrl, ...body },
        headers,
      )
      .then(record);
  const connectivity = async (body: Record<string, unknown> = {}) => {
    const r = record(await s.admin.post(`/profiles/${profileId}/connectivity-tests`, body));
    expect(r.status).toBe(200);
    return r.body.data.steps as Step[];
  };

  /** A line of the private key's base64 body: must never leave the sealed secret. */
  const keyMaterial = () => stack.certificate.pem.split("PRIVATE KEY-----\n")[1].split("\n")[2];

  beforeAll(async () => {
    stack = await startAppOnlyStack();
    s = await startTestServer({ dialect, env: stack.env });
    profileId = (await s.admin.post("/profiles", { name: `EWS app-only ${dialect}` })).body.data.id;
    await s.admin.post(`/profiles/${profileId}/users`, {
      text: [...IN_SCOPE, ...OUT_OF_SCOPE, "no.mailbox@contoso.com"].join("\n"),
    });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await stack?.close();
  });

  it("lists the type with its label", async () => {
    const types = (await s.admin.get("/mailbox-access-types")).body.data as { id: string; label: string }[];
    expect(types.find((t) => t.id === "ews-app-only")?.label).toBe("Microsoft 365 app-only (EWS API)");
  });

  it("refuses a first save without a credential, and a certificate without its key", async () => {
    const none = await configure({ clientId: APPS.scopedSecret.clientId });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/certificate|secret/i);
    const noKey = await configure({
      clientId: APPS.scopedCertificate.clientId,
      certificatePem: stack.certificate.certificatePem,
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.message).toMatch(/private key/);
  });

  it("stores a client secret sealed, never returns it, and passes the scoped connectivity test", async () => {
    const put = await configure({
      clientId: APPS.scopedSecret.clientId,
      clientSecret: APPS.scopedSecret.secret,
      scopeGroup: "sync-users@contoso.com",
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({
      type: "ews-app-only",
      label: "Microsoft 365 app-only (EWS API)",
      clientSecretSet: true,
      credential: "secret",
      ewsUrl: stack.sim.ewsUrl,
    });
    expect(put.body.data.setupScript).toContain(
      `New-ManagementRoleAssignment -App "${APPS.scopedSecret.clientId}" -Role "Application EWS.AccessAsApp" -CustomResourceScope`,
    );
    expect(put.body.data.setupScript).toContain(`$allowed += "${APPS.scopedSecret.clientId}"`);
    expect(put.body.data.setupScript).toContain(
      "Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs $allowed",
    );
    expect(put.body.data.setupScript).toContain('Get-DistributionGroup "sync-users@contoso.com"');
    const raw = await mailboxAccessRows(s.ctx);
    expect(raw).toHaveLength(1);
    expect(JSON.stringify(raw)).not.toContain(APPS.scopedSecret.secret);

    const steps = await connectivity({
      targetUser: "adele.vance@contoso.com",
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(
      steps.map((x) => x.status),
      JSON.stringify(steps, null, 1),
    ).toEqual(["passed", "passed", "passed", "passed", "passed", "passed"]);
    expect(stepNamed(steps, "Token roles")?.detail).toMatch(/roles claim is empty/);
    expect(stepNamed(steps, "Out-of-scope")?.detail).toMatch(/Refused as expected \(ErrorAccessDenied\)/);
    expect(stepNamed(steps, "Rooms")?.detail).toMatch(/room list/);
  });

  it("fails clearly for a user no role assignment covers", async () => {
    const steps = await connectivity({ targetUser: OUT_OF_SCOPE[1] });
    const read = stepNamed(steps, "Read ")!;
    expect(read.status).toBe("failed");
    expect(read.detail).toMatch(/no role assignment/);
    expect(read.remediation).toContain("Test-ServicePrincipalAuthorization");
  });

  it("fails clearly for a bad secret (AADSTS7000215) and a wrong tenant (AADSTS90002)", async () => {
    expect(
      (await configure({ clientId: APPS.scopedSecret.clientId, clientSecret: "not-the-secret-000" })).status,
    ).toBe(200);
    let steps = await connectivity();
    expect(steps[0]).toMatchObject({
      name: "Get an app-only token",
      status: "failed",
      code: "AppSecretInvalid",
    });
    expect(steps[0].detail).toContain("AADSTS7000215");
    expect(steps.slice(1).every((x) => x.status === "skipped")).toBe(true);

    expect(
      (
        await configure({
          tenantId: "99999999-9999-4999-8999-999999999999",
          clientId: APPS.scopedSecret.clientId,
          clientSecret: APPS.scopedSecret.secret,
        })
      ).status,
    ).toBe(200);
    steps = await connectivity();
    expect(steps[0]).toMatchObject({ status: "failed", code: "AppTenantNotFound" });
    expect(steps[0].detail).toContain("AADSTS90002");
  });

  it("uploads a certificate (thumbprint and expiry shown, audited) and gets tokens with private_key_jwt", async () => {
    const put = await configure({
      clientId: APPS.scopedCertificate.clientId,
      certificatePem: stack.certificate.pem,
    });
    expect(put.status).toBe(200);
    expect(put.body.data.credential).toBe("certificate");
    expect(put.body.data.certificate.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(put.body.data.certificate.daysLeft).toBeGreaterThan(300);
    expect(put.text).not.toContain(keyMaterial());
    const audit = await s.admin.get(`/audit-events?profileId=${profileId}`);
    expect(JSON.stringify(audit.body)).toContain(put.body.data.certificate.thumbprint);
    expect(JSON.stringify(audit.body)).not.toContain(keyMaterial());
    const raw = JSON.stringify(await mailboxAccessRows(s.ctx));
    expect(raw).not.toContain(keyMaterial());
    expect(raw).toContain(put.body.data.certificate.thumbprint);
    const steps = await connectivity({
      targetUser: "adele.vance@contoso.com",
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(
      steps.every((x) => x.status === "passed"),
      JSON.stringify(steps, null, 1),
    ).toBe(true);
    expect(stepNamed(steps, "Token roles")?.detail).toMatch(
      /No mailbox permission in the token \(roles: Place.Read.All\)/,
    );
  });

  it("fails clearly for a certificate the app doesn't know (AADSTS700027) and warns 30 days before expiry", async () => {
    const other = appCertificate(20);
    const put = await configure({ clientId: APPS.scopedCertificate.clientId, certificatePem: other.pem });
    expect(put.status).toBe(200);
    expect(put.body.data.warnings.join(" ")).toMatch(/expires in 19 day\(s\)/);
    const steps = await connectivity();
    expect(steps[0]).toMatchObject({ status: "failed", code: "AppCertificateInvalid" });
    expect(steps[0].detail).toContain("AADSTS700027");
    expect(steps[0].remediation).toMatch(/thumbprint/);
    // Back to the registered certificate for the bulk run.
    expect(
      (await configure({ clientId: APPS.scopedCertificate.clientId, certificatePem: stack.certificate.pem }))
        .status,
    ).toBe(200);
  });

  it("activates the profile in bulk: in-scope users active (room kind told), out-of-scope and unknown users in error", async () => {
    const job = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    expect(job.status).toBe(202);
    await finishedJob(s.admin, job.body.data.id);
    const users = (await s.admin.get(`/profiles/${profileId}/users?limit=100`)).body.data as {
      address: string;
      state: string;
      mailboxKind: string | null;
      lastError: { code: string } | null;
    }[];
    const by = new Map(users.map((u) => [u.address, u]));
    for (const a of IN_SCOPE) expect(by.get(a)?.state, a).toBe("active");
    expect(by.get("room-101@contoso.com")?.mailboxKind).toBe("room");
    expect(by.get("adele.vance@contoso.com")?.mailboxKind).toBe("user");
    for (const a of OUT_OF_SCOPE) {
      expect(by.get(a)).toMatchObject({ state: "error", lastError: { code: "ErrorAccessDenied" } });
    }
    expect(by.get("no.mailbox@contoso.com")).toMatchObject({
      state: "error",
      lastError: { code: "ErrorNonExistentMailbox" },
    });
    // Every EWS call named the mailbox: impersonation header and anchor.
    expect(stack.sim.counters.byOutcome.ErrorInvalidExchangeImpersonationHeaderData ?? 0).toBe(0);
  });

  it("serves the sync service's EWS gateway with the app's token, impersonation and anchor added", async () => {
    const key = (await s.admin.post("/service-keys", { name: "crm", scopes: ["ews:proxy"] })).body.data
      .key as string;
    stack.sim.resetCounters();
    const inbox = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header><soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`;
    const res = await fetch(`${s.url}/api/v1/sync/mailboxes/adele.vance%40contoso.com/ews`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "text/xml; charset=utf-8" },
      body: inbox,
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).toContain('ResponseClass="Success"');
    expect(stack.sim.counters.calls.map((c) => [c.account, c.target, c.operation])).toEqual([
      [APPS.scopedCertificate.clientId, "adele.vance@contoso.com", "GetFolder"],
    ]);
  });

  it("warns loudly for tenant-wide consent (roles in the token, out-of-scope user readable)", async () => {
    expect(
      (await configure({ clientId: APPS.tenantWide.clientId, clientSecret: APPS.tenantWide.secret })).status,
    ).toBe(200);
    const steps = await connectivity({
      targetUser: "adele.vance@contoso.com",
      outOfScopeUser: OUT_OF_SCOPE[0],
    });
    expect(stepNamed(steps, "Token roles")).toMatchObject({ status: "warning", code: "TenantWideConsent" });
    expect(stepNamed(steps, "Token roles")?.detail).toMatch(/TENANT-WIDE ACCESS.*full_access_as_app/);
    expect(stepNamed(steps, "Out-of-scope")).toMatchObject({
      status: "warning",
      code: "OutOfScopeReachable",
    });
  });

  it("never returned or logged a secret or a private key", () => {
    const all = [...seen, ...s.logs].join("\n");
    expect(all).not.toContain(APPS.scopedSecret.secret);
    expect(all).not.toContain(APPS.tenantWide.secret);
    expect(all).not.toContain(keyMaterial());
  });
});
