import { describe, expect, it } from "vitest";
import {
  adminConsentUrl,
  createApplicationBody,
  EXCHANGE_APP_ID,
  GRAPH_APP_ID,
  PRE_AUTHORIZED_CLIENTS,
  preAuthorizeBody,
  updateApplicationBody,
  type GraphApplication,
} from "./entra-app";
import { entraAppPowerShell } from "./entra-app-powershell";

const ids = {
  scopeId: "11111111-1111-4111-8111-111111111111",
  roleId: "22222222-2222-4222-8222-222222222222",
};
const permissionId = (resource: string, value: string) => `${resource === GRAPH_APP_ID ? "g" : "x"}:${value}`;
const CLIENT_ID = "33333333-3333-4333-8333-333333333333";

describe.each([
  ["https://sync.contoso.com", "sync.contoso.com"],
  ["https://crm-sync.fabrikam.net:8443", "crm-sync.fabrikam.net:8443"],
])("the registration for %s", (baseUrl, host) => {
  const created = createApplicationBody({ baseUrl }, ids, permissionId);

  it("has the SPA redirects nested app authentication and the popup need, and the Web redirect of Connect account", () => {
    expect(created.spa).toEqual({ redirectUris: [`brk-multihub://${host}`, `${baseUrl}/redirect.html`] });
    expect(created.web).toEqual({ redirectUris: [`${baseUrl}/api/v1/oauth/callback`] });
  });

  it("exposes access_as_user (v2 tokens) and the SyncAdmin.Platform role for users", () => {
    expect(created.api?.requestedAccessTokenVersion).toBe(2);
    expect(created.api?.oauth2PermissionScopes).toEqual([
      expect.objectContaining({ id: ids.scopeId, value: "access_as_user", type: "User", isEnabled: true }),
    ]);
    expect(created.appRoles).toEqual([
      expect.objectContaining({
        id: ids.roleId,
        value: "SyncAdmin.Platform",
        allowedMemberTypes: ["User"],
        isEnabled: true,
      }),
    ]);
  });

  it("asks for upn and acct in access tokens and upn in ID tokens", () => {
    expect(created.optionalClaims?.accessToken?.map((c) => c.name)).toEqual(["upn", "acct"]);
    expect(created.optionalClaims?.idToken?.map((c) => c.name)).toEqual(["upn"]);
  });

  it("requires the delegated Graph sign-in permissions and Exchange's EWS.AccessAsUser.All", () => {
    expect(created.requiredResourceAccess).toEqual([
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: ["openid", "profile", "offline_access", "User.Read"].map((v) => ({
          id: `g:${v}`,
          type: "Scope",
        })),
      },
      { resourceAppId: EXCHANGE_APP_ID, resourceAccess: [{ id: "x:EWS.AccessAsUser.All", type: "Scope" }] },
    ]);
  });

  it("then sets the Application ID URI in either form and pre-authorizes every host client", () => {
    const update = updateApplicationBody({ ...created, appId: CLIENT_ID }, { baseUrl }, ids, permissionId);
    expect(update.identifierUris).toEqual([`api://${host}/${CLIENT_ID}`]);
    const clientIdForm = updateApplicationBody(
      { ...created, appId: CLIENT_ID },
      { baseUrl, identifierUriForm: "client-id" },
      ids,
      permissionId,
    );
    expect(clientIdForm.identifierUris).toEqual([`api://${CLIENT_ID}`]);
    const pre = preAuthorizeBody({ ...created, ...update });
    expect(pre.api?.preAuthorizedApplications).toEqual(
      PRE_AUTHORIZED_CLIENTS.map((c) => ({ appId: c.appId, delegatedPermissionIds: [ids.scopeId] })),
    );
    expect(pre.api?.oauth2PermissionScopes?.[0]?.id).toBe(ids.scopeId);
    expect(pre.api?.requestedAccessTokenVersion).toBe(2);
  });

  it("generates a script with these values baked in and the lookups done by value", () => {
    const script = entraAppPowerShell({ baseUrl, clientId: CLIENT_ID });
    expect(script).toContain(`$HostName = '${host}'`);
    expect(script).toContain(`"brk-multihub://${host}"`);
    expect(script).toContain(`"${baseUrl}/redirect.html"`);
    expect(script).toContain(`"${baseUrl}/api/v1/oauth/callback"`);
    expect(script).toContain(`[string] $ClientId = '${CLIENT_ID}'`);
    expect(script).toMatch(/Connect-MgGraph @connect/);
    expect(script).toMatch(/New-MgApplication -BodyParameter/);
    expect(script).toMatch(/Update-MgApplication -ApplicationId \$app\.id/);
    expect(script).toMatch(/New-MgServicePrincipal -AppId/);
    expect(script).toMatch(/Get-MgServicePrincipal -Filter "appId eq '\$ResourceAppId'"/);
    expect(script).toContain("/adminconsent?client_id=");
    // No permission id is hard-coded: every GUID in the script is a client id, the resources' app ids or ours.
    const guids = new Set(script.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g));
    const allowed = new Set([
      CLIENT_ID,
      GRAPH_APP_ID,
      EXCHANGE_APP_ID,
      ...PRE_AUTHORIZED_CLIENTS.map((c) => c.appId),
    ]);
    expect([...guids].filter((g) => !allowed.has(g))).toEqual([]);
  });
});

describe("updating an existing registration", () => {
  const baseUrl = "https://sync.contoso.com";
  const existing: GraphApplication & { appId: string } = {
    appId: CLIENT_ID,
    identifierUris: ["api://legacy.contoso.com/" + CLIENT_ID],
    spa: { redirectUris: ["https://old.contoso.com/auth", `${baseUrl}/redirect.html`] },
    web: {
      redirectUris: ["https://old.contoso.com/signin-oidc"],
      implicitGrantSettings: { enableIdTokenIssuance: false },
    },
    api: {
      requestedAccessTokenVersion: null,
      oauth2PermissionScopes: [
        {
          id: "aaaaaaaa-0000-4000-8000-000000000001",
          value: "access_as_user",
          type: "User",
          isEnabled: true,
          adminConsentDisplayName: "Old name",
          adminConsentDescription: "Old description",
        },
        {
          id: "aaaaaaaa-0000-4000-8000-000000000002",
          value: "Reports.Read",
          type: "Admin",
          isEnabled: true,
          adminConsentDisplayName: "Reports",
          adminConsentDescription: "Reports",
        },
      ],
      preAuthorizedApplications: [
        {
          appId: "5e3ce6c0-2b1f-4285-8d4b-75ee78787346",
          delegatedPermissionIds: ["aaaaaaaa-0000-4000-8000-000000000002"],
        },
        {
          appId: "99999999-9999-4999-8999-999999999999",
          delegatedPermissionIds: ["aaaaaaaa-0000-4000-8000-000000000002"],
        },
      ],
    },
    appRoles: [
      {
        id: "bbbbbbbb-0000-4000-8000-000000000001",
        value: "SyncAdmin.Platform",
        displayName: "Platform",
        description: "Kept as it is",
        allowedMemberTypes: ["User"],
        isEnabled: true,
      },
    ],
    optionalClaims: {
      accessToken: [{ name: "upn", essential: true }],
      idToken: [],
      saml2Token: [{ name: "groups" }],
    },
    requiredResourceAccess: [
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: [
          { id: "g:User.Read", type: "Scope" },
          { id: "g:Mail.Send", type: "Scope" },
        ],
      },
    ],
  };
  const update = updateApplicationBody(existing, { baseUrl }, ids, permissionId);

  it("keeps the ids of the existing scope and role and adds no second copy", () => {
    expect(update.api?.oauth2PermissionScopes?.map((s) => s.id)).toEqual([
      "aaaaaaaa-0000-4000-8000-000000000001",
      "aaaaaaaa-0000-4000-8000-000000000002",
    ]);
    expect(update.appRoles).toEqual(existing.appRoles);
  });

  it("merges redirect URIs, identifier URIs, claims and permissions instead of replacing them", () => {
    expect(update.spa?.redirectUris).toEqual([
      "https://old.contoso.com/auth",
      `${baseUrl}/redirect.html`,
      "brk-multihub://sync.contoso.com",
    ]);
    expect(update.web).toEqual({
      redirectUris: ["https://old.contoso.com/signin-oidc", `${baseUrl}/api/v1/oauth/callback`],
      implicitGrantSettings: { enableIdTokenIssuance: false },
    });
    expect(update.identifierUris).toEqual([
      `api://legacy.contoso.com/${CLIENT_ID}`,
      `api://sync.contoso.com/${CLIENT_ID}`,
    ]);
    expect(update.optionalClaims).toEqual({
      accessToken: [
        { name: "upn", essential: true },
        { name: "acct", essential: false },
      ],
      idToken: [{ name: "upn", essential: false }],
      saml2Token: [{ name: "groups" }],
    });
    expect(update.requiredResourceAccess).toEqual([
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: [
          { id: "g:User.Read", type: "Scope" },
          { id: "g:Mail.Send", type: "Scope" },
          { id: "g:openid", type: "Scope" },
          { id: "g:profile", type: "Scope" },
          { id: "g:offline_access", type: "Scope" },
        ],
      },
      { resourceAppId: EXCHANGE_APP_ID, resourceAccess: [{ id: "x:EWS.AccessAsUser.All", type: "Scope" }] },
    ]);
    expect(update.api?.requestedAccessTokenVersion).toBe(2);
  });

  it("pre-authorizes the host clients for the existing scope id, keeping other clients and permissions", () => {
    const pre = preAuthorizeBody({ ...existing, ...update }).api?.preAuthorizedApplications ?? [];
    expect(
      pre.find((p) => p.appId === "5e3ce6c0-2b1f-4285-8d4b-75ee78787346")?.delegatedPermissionIds,
    ).toEqual(["aaaaaaaa-0000-4000-8000-000000000002", "aaaaaaaa-0000-4000-8000-000000000001"]);
    expect(
      pre.find((p) => p.appId === "99999999-9999-4999-8999-999999999999")?.delegatedPermissionIds,
    ).toEqual(["aaaaaaaa-0000-4000-8000-000000000002"]);
    expect(pre).toHaveLength(PRE_AUTHORIZED_CLIENTS.length + 1);
  });

  it("is idempotent: updating the result again changes nothing", () => {
    const merged = { ...existing, ...update };
    expect(updateApplicationBody(merged, { baseUrl }, ids, permissionId)).toEqual(update);
    const withPre = { ...merged, ...preAuthorizeBody(merged) };
    expect(preAuthorizeBody(withPre)).toEqual(preAuthorizeBody(merged));
  });
});

it("builds the admin-consent URL for each cloud", () => {
  expect(adminConsentUrl("Global", "contoso.onmicrosoft.com", CLIENT_ID)).toBe(
    `https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=${CLIENT_ID}`,
  );
  expect(adminConsentUrl("USGov", "t", CLIENT_ID)).toMatch(/^https:\/\/login\.microsoftonline\.us\/t\//);
  expect(adminConsentUrl("China", "t", CLIENT_ID)).toMatch(/^https:\/\/login\.chinacloudapi\.cn\/t\//);
});
