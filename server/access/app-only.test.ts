import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { retryAfterMs, mapGraphFailure } from "../graph/errors";
import { credentialWarnings, parseCertificatePem, prepareIdentity } from "./app-only-identity";
import { appOnlyPowerShell } from "./app-only-powershell";
import { mailboxWideRoles } from "./app-only-steps";
import { AppOnlyTokens, appOnlyScope, mapAppTokenError } from "./app-only-token";

function certificate(days: number): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "app-only-unit-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      String(days),
      "-subj",
      "/CN=unit",
      "-keyout",
      path.join(dir, "k"),
      "-out",
      path.join(dir, "c"),
    ],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(path.join(dir, "c"), "utf8"), key: readFileSync(path.join(dir, "k"), "utf8") };
}

const ids = {
  tenantId: "7f3c2b1a-4d5e-4f60-8a9b-0c1d2e3f4a5b",
  clientId: "A0000000-0000-4000-8000-00000000000A",
};

describe("app-only identity", () => {
  const good = certificate(365);

  it("reads a certificate with its key: SHA-1 thumbprint as Entra shows it, expiry", () => {
    const parsed = parseCertificatePem(`${good.cert}\n${good.key}`);
    expect(parsed.info.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(parsed.info.thumbprintSha256).toMatch(/^[0-9A-F]{64}$/);
    expect(Date.parse(parsed.info.notAfter) - Date.now()).toBeGreaterThan(360 * 86_400_000);
  });

  it("refuses a key of another certificate, a missing key, and an encrypted key", () => {
    const other = certificate(365);
    expect(() => parseCertificatePem(`${good.cert}${other.key}`)).toThrow(/does not belong/);
    expect(() => parseCertificatePem(good.cert)).toThrow(/private key/);
    expect(() =>
      parseCertificatePem(
        `${good.cert}-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----`,
      ),
    ).toThrow(/encrypted/);
  });

  it("keeps the stored credential when none is given, replaces it when one is, refuses both", () => {
    const first = prepareIdentity({ ...ids, certificatePem: `${good.cert}${good.key}` }, null);
    expect(first.settings).toMatchObject({ signInWith: "certificate", clientId: ids.clientId.toLowerCase() });
    const kept = prepareIdentity(ids, first.secret);
    expect(kept.settings.cert).toEqual(first.settings.cert);
    expect(kept.secret).toBe(first.secret);
    const secret = prepareIdentity({ ...ids, clientSecret: "new-secret-value" }, first.secret);
    expect(secret.settings).toMatchObject({ signInWith: "secret", cert: null });
    expect(secret.secret).toEqual({ clientSecret: "new-secret-value" });
    expect(() =>
      prepareIdentity({ ...ids, clientSecret: "x".repeat(10), certificatePem: good.cert }, null),
    ).toThrow(/not both/);
    expect(() => prepareIdentity(ids, null)).toThrow(/certificate|secret/);
  });

  it("warns from 30 days before expiry, and after it", () => {
    const settings = prepareIdentity({ ...ids, certificatePem: `${good.cert}${good.key}` }, null).settings;
    const end = Date.parse(settings.cert!.notAfter);
    expect(credentialWarnings(settings, end - 40 * 86_400_000)).toEqual([]);
    expect(credentialWarnings(settings, end - 29.5 * 86_400_000)[0]).toMatch(/expires in 29 day/);
    expect(credentialWarnings(settings, end + 86_400_000)[0]).toMatch(/expired/);
  });
});

describe("app-only tokens and roles", () => {
  it("asks for the service host's .default scope", () => {
    expect(appOnlyScope("https://outlook.office365.com/EWS/Exchange.asmx")).toBe(
      "https://outlook.office365.com/.default",
    );
    expect(appOnlyScope("https://graph.microsoft.com/v1.0")).toBe("https://graph.microsoft.com/.default");
    expect(appOnlyScope("http://127.0.0.1:8765/v1.0")).toBe("https://127.0.0.1/.default");
  });

  it("puts the tenant in the authority: after Microsoft's host, after another provider's path", () => {
    const ms = new AppOnlyTokens({
      authority: "https://login.microsoftonline.com/organizations",
      graphBaseUrl: "https://graph.microsoft.com/v1.0",
    });
    expect(ms.authorityFor("contoso.onmicrosoft.com")).toEqual({
      authority: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
      microsoft: true,
      discoveryUrl:
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
    });
    const other = new AppOnlyTokens({
      authority: "https://127.0.0.1:8443/idp",
      graphBaseUrl: "http://127.0.0.1/v1.0",
    });
    expect(other.authorityFor(ids.tenantId)).toMatchObject({
      authority: `https://127.0.0.1:8443/idp/${ids.tenantId}`,
      microsoft: false,
    });
    ms.close();
    other.close();
  });

  it("refuses a stored certificate past its expiry without asking Entra (which answers AADSTS700027)", async () => {
    const tokens = new AppOnlyTokens({
      authority: "https://127.0.0.1:1",
      graphBaseUrl: "http://127.0.0.1/v1.0",
    });
    const cert = {
      thumbprint: "AB",
      thumbprintSha256: "CD",
      subject: "CN=x",
      notBefore: "2020-01-01T00:00:00.000Z",
      notAfter: "2021-01-01T00:00:00.000Z",
    };
    const got = await tokens.token(
      "p1",
      { ...ids, signInWith: "certificate", cert, servicePrincipalObjectId: null, scopeGroup: null },
      { privateKeyPem: "k", certificatePem: "c", certificateInfo: cert },
      "https://graph.microsoft.com/.default",
    );
    expect(got).toMatchObject({
      ok: false,
      failure: { code: "AppCertificateInvalid", serviceAccountFailure: true },
    });
    tokens.close();
  });

  it("maps AADSTS codes", () => {
    expect(mapAppTokenError("AADSTS7000215: Invalid client secret provided.", "app").code).toBe(
      "AppSecretInvalid",
    );
    expect(mapAppTokenError("AADSTS7000222: The provided client secret keys are expired.", "app").code).toBe(
      "AppSecretInvalid",
    );
    expect(mapAppTokenError("AADSTS700027: Client assertion failed signature validation.", "app").code).toBe(
      "AppCertificateInvalid",
    );
    expect(mapAppTokenError("AADSTS90002: Tenant 'x' not found.", "app").code).toBe("AppTenantNotFound");
    expect(mapAppTokenError("AADSTS700016: Application with identifier 'x' was not found.", "app").code).toBe(
      "AppNotFound",
    );
    expect(mapAppTokenError("AADSTS500011: The resource principal named x was not found.", "app").code).toBe(
      "AppResourceNotFound",
    );
    expect(mapAppTokenError("AADSTS1234: something else", "app")).toMatchObject({
      code: "AppTokenRefused",
      serviceAccountFailure: true,
    });
  });

  it("counts only mailbox permissions as tenant-wide", () => {
    expect(mailboxWideRoles([])).toEqual([]);
    expect(mailboxWideRoles(["Place.Read.All"])).toEqual([]);
    expect(
      mailboxWideRoles(["full_access_as_app", "Mail.ReadWrite", "Calendars.ReadWrite", "Place.Read.All"]),
    ).toEqual(["full_access_as_app", "Mail.ReadWrite", "Calendars.ReadWrite"]);
  });
});

describe("Graph failures", () => {
  it("reads Retry-After in seconds or as a date", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs("0.5")).toBe(500);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs(undefined)).toBe(10_000);
  });

  it("maps 429 to a transient failure with backOffMs, 403 to not covered, 404 to no mailbox, 401 to the token", () => {
    const c = { clientId: "app", target: "jane@contoso.com" };
    const body = (code: string) => JSON.stringify({ error: { code, message: "m" } });
    expect(
      mapGraphFailure(
        { answer: { status: 429, headers: { "retry-after": "2" }, body: body("TooManyRequests") } },
        c,
      ),
    ).toMatchObject({ code: "TooManyRequests", transient: true, backOffMs: 2000 });
    const denied = mapGraphFailure(
      { answer: { status: 403, headers: {}, body: body("ErrorAccessDenied") } },
      c,
    );
    expect(denied).toMatchObject({ code: "ErrorAccessDenied", transient: false });
    expect(denied.remediation).toContain(
      'New-ManagementRoleAssignment -App "app" -Role "Application Mail.ReadWrite"',
    );
    expect(
      mapGraphFailure({ answer: { status: 404, headers: {}, body: body("ErrorInvalidUser") } }, c).code,
    ).toBe("ErrorInvalidUser");
    expect(
      mapGraphFailure({ answer: { status: 401, headers: {}, body: body("InvalidAuthenticationToken") } }, c),
    ).toMatchObject({ serviceAccountFailure: true });
    expect(mapGraphFailure({ answer: { status: 503, headers: {}, body: "" } }, c)).toMatchObject({
      code: "GraphUnavailable",
      transient: true,
    });
  });
});

describe("RBAC for Applications PowerShell", () => {
  it("fills in the admin's ids, one scoped assignment per role, and the EWS allow list for EWS only", () => {
    const ews = appOnlyPowerShell({
      api: "ews",
      tenantId: ids.tenantId,
      clientId: "a0",
      servicePrincipalObjectId: "sp-1",
      scopeGroup: "sync@contoso.com",
    });
    expect(ews).toContain('New-ServicePrincipal -AppId "a0" -ObjectId "sp-1"');
    expect(ews).toContain('Get-DistributionGroup "sync@contoso.com"');
    expect(ews).toContain(
      'New-ManagementScope -Name "Mailbox Sync Admin scope" -RecipientRestrictionFilter "MemberOfGroup -eq \'$($group.DistinguishedName)\'"',
    );
    expect(ews).toContain(
      'New-ManagementRoleAssignment -App "a0" -Role "Application EWS.AccessAsApp" -CustomResourceScope "Mailbox Sync Admin scope"',
    );
    expect(ews).toContain('Test-ServicePrincipalAuthorization -Identity "a0"');
    // The allow list is read first and appended to; EWS stays on; the user-agent policy is never set.
    const commands = ews.split("\n").filter((l) => !l.startsWith("#"));
    const read = commands.findIndex((l) =>
      l.includes("$allowed = @((Get-OrganizationConfig).EwsAllowedAppIDs)"),
    );
    const set = commands.findIndex(
      (l) => l === "Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs $allowed",
    );
    expect(read).toBeGreaterThanOrEqual(0);
    expect(set).toBeGreaterThan(read);
    expect(commands.slice(read, set).join("\n")).toContain('$allowed += "a0"');
    expect(commands.join("\n")).not.toContain("EwsApplicationAccessPolicy");
    expect(commands.join("\n")).not.toContain("EnforceAllowList");
    const graph = appOnlyPowerShell({ api: "graph", tenantId: ids.tenantId, clientId: "a0" });
    expect(graph.match(/New-ManagementRoleAssignment/g)).toHaveLength(3);
    expect(graph).toContain('"Application MailboxSettings.Read"');
    expect(graph).not.toContain("EwsAllowedAppIDs");
    expect(graph).toContain("<service principal object id");
    const moved = appOnlyPowerShell({
      api: "graph",
      tenantId: ids.tenantId,
      clientId: "a0",
      roles: ["Application Mail.ReadWrite", "Application Mail.Send"],
    });
    expect(moved.match(/New-ManagementRoleAssignment/g)).toHaveLength(2);
    expect(moved).toContain('-Role "Application Mail.Send"');
  });

  it("escapes PowerShell quoting in what the admin typed", () => {
    expect(appOnlyPowerShell({ api: "graph", tenantId: 'x"; Remove-Mailbox $y', clientId: "a0" })).toContain(
      '"x`"; Remove-Mailbox `$y"',
    );
  });
});
