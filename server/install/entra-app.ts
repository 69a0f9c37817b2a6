/**
 * The Entra ID app registration this product needs, as the bodies of Microsoft Graph's
 * `POST /applications` (create) and `PATCH /applications/{id}` (update an existing one without losing
 * anything). The PowerShell script in `entra-app-powershell.ts` does the same in a tenant; this module is
 * what tests check field by field and what `npm run entra:app` writes for people who use another tool.
 */
import { API_SCOPE_NAME, PLATFORM_ADMIN_ROLE } from "../auth/entra";

/** Microsoft Graph's well-known application id (the same in every cloud). */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** Office 365 Exchange Online's well-known application id (the same in every cloud). */
export const EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000";

/** Delegated permissions the registration asks for, by resource and value (ids are looked up by value). */
export const REQUIRED_DELEGATED_PERMISSIONS: ReadonlyArray<{ resourceAppId: string; values: string[] }> = [
  { resourceAppId: GRAPH_APP_ID, values: ["openid", "profile", "offline_access", "User.Read"] },
  // Connect account (OAuth impersonated logon): the service account's EWS token.
  { resourceAppId: EXCHANGE_APP_ID, values: ["EWS.AccessAsUser.All"] },
];

/**
 * Host client ids Microsoft lists for Teams, Microsoft 365 and Outlook SSO (`getAuthToken`), and the
 * Office add-in SSO client (`Office.auth.getAccessToken`); nested app authentication needs none of them,
 * but the fallbacks do.
 */
export const PRE_AUTHORIZED_CLIENTS: ReadonlyArray<{ appId: string; name: string }> = [
  { appId: "1fec8e78-bce4-4aaf-ab1b-5451cc387264", name: "Teams desktop and mobile" },
  { appId: "5e3ce6c0-2b1f-4285-8d4b-75ee78787346", name: "Teams web" },
  { appId: "4765445b-32c6-49b0-83e6-1d93765276ca", name: "Microsoft 365 web" },
  { appId: "0ec893e0-5785-4de6-99da-4ed124e5296c", name: "Microsoft 365 desktop" },
  { appId: "d3590ed6-52b3-4102-aeff-aad2292ab01c", name: "Microsoft 365 mobile and Outlook desktop" },
  { appId: "bc59ab01-8403-45c6-8796-ac3ef710b3e3", name: "Outlook web" },
  { appId: "27922004-5251-4030-b22d-91ecd9a37ea4", name: "Outlook mobile" },
  { appId: "ea5a67f6-b6f3-4338-b240-c655ddc3cc8e", name: "Office add-ins (Office.auth.getAccessToken)" },
];

/** Sovereign clouds as `Connect-MgGraph -Environment` names them, with their sign-in host. */
export const ENTRA_ENVIRONMENTS = {
  Global: "https://login.microsoftonline.com",
  USGov: "https://login.microsoftonline.us",
  USGovDoD: "https://login.microsoftonline.us",
  China: "https://login.chinacloudapi.cn",
} as const;
export type EntraEnvironment = keyof typeof ENTRA_ENVIRONMENTS;

/** The registration's display name unless the admin picks another. */
export const DEFAULT_DISPLAY_NAME = "Mailbox Sync Admin";

/** What varies per installation. */
export interface RegistrationInput {
  /** BASE_URL: the public https URL of this server, without a trailing slash. */
  baseUrl: string;
  /** `api://<host>/<client id>` (default, Teams SSO's form) or `api://<client id>`. */
  identifierUriForm?: "host" | "client-id";
  displayName?: string;
}

/** The parts of a Graph `application` this product sets (Graph's own property names). */
export interface GraphApplication {
  displayName?: string;
  signInAudience?: string;
  identifierUris?: string[];
  spa?: { redirectUris?: string[] };
  web?: { redirectUris?: string[]; implicitGrantSettings?: Record<string, boolean> };
  api?: {
    requestedAccessTokenVersion?: number | null;
    oauth2PermissionScopes?: PermissionScope[];
    preAuthorizedApplications?: Array<{ appId: string; delegatedPermissionIds: string[] }>;
  };
  appRoles?: AppRole[];
  optionalClaims?: Partial<Record<"idToken" | "accessToken" | "saml2Token", OptionalClaim[]>>;
  requiredResourceAccess?: Array<{
    resourceAppId: string;
    resourceAccess: Array<{ id: string; type: string }>;
  }>;
}

export interface PermissionScope {
  id: string;
  value: string;
  type: string;
  isEnabled: boolean;
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName?: string;
  userConsentDescription?: string;
}

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}

export interface OptionalClaim {
  name: string;
  essential?: boolean;
  source?: string | null;
  additionalProperties?: string[];
}

/** The redirect URIs the product uses, by platform. */
export function redirectUris(baseUrl: string): { spa: string[]; web: string[] } {
  const url = new URL(baseUrl);
  return {
    // Nested app authentication's trusted broker (origin only), then the MSAL popup's redirect page.
    spa: [`brk-multihub://${url.host}`, `${url.origin}/redirect.html`],
    // Connect account's authorization-code flow (server side, confidential client).
    web: [`${url.origin}/api/v1/oauth/callback`],
  };
}

/** The Application ID URI for a client id in the chosen form. */
export function identifierUri(
  baseUrl: string,
  clientId: string,
  form: "host" | "client-id" = "host",
): string {
  return form === "client-id" ? `api://${clientId}` : `api://${new URL(baseUrl).host}/${clientId}`;
}

/** The delegated scope the panel and the hosts ask for. */
export function apiScopeDefinition(id: string): PermissionScope {
  return {
    id,
    value: API_SCOPE_NAME,
    type: "User",
    isEnabled: true,
    adminConsentDisplayName: "Use Mailbox Sync Admin as the signed-in user",
    adminConsentDescription:
      "Lets Teams, Outlook and the browser panel call Mailbox Sync Admin's API as the signed-in person: their own sync status, and the admin pages their role allows.",
    userConsentDisplayName: "Use Mailbox Sync Admin as you",
    userConsentDescription: "Lets Mailbox Sync show your mailbox's sync status and, for admins, manage sync.",
  };
}

/** The app role that makes a person a platform admin. */
export function platformAdminRole(id: string): AppRole {
  return {
    id,
    value: PLATFORM_ADMIN_ROLE,
    displayName: "Mailbox Sync platform admin",
    description: "Manages every profile, the settings and the sync service keys of Mailbox Sync Admin.",
    allowedMemberTypes: ["User"],
    isEnabled: true,
  };
}

/** Optional claims the product reads: `upn` and `acct` in access tokens (end users, guests), `upn` in ID tokens (Connect account). */
export const OPTIONAL_CLAIMS: Required<
  Pick<NonNullable<GraphApplication["optionalClaims"]>, "accessToken" | "idToken">
> = {
  accessToken: [
    { name: "upn", essential: false },
    { name: "acct", essential: false },
  ],
  idToken: [{ name: "upn", essential: false }],
};

/**
 * The delegated permissions as `requiredResourceAccess`, given their ids (looked up by value from each
 * resource's service principal: `GET /servicePrincipals(appId='...')?$select=oauth2PermissionScopes`).
 */
export function requiredResourceAccess(
  permissionIds: (resourceAppId: string, value: string) => string,
): NonNullable<GraphApplication["requiredResourceAccess"]> {
  return REQUIRED_DELEGATED_PERMISSIONS.map(({ resourceAppId, values }) => ({
    resourceAppId,
    resourceAccess: values.map((value) => ({ id: permissionIds(resourceAppId, value), type: "Scope" })),
  }));
}

/** Ids the create body needs that Graph doesn't assign: the scope's and the app role's (new GUIDs). */
export interface NewIds {
  scopeId: string;
  roleId: string;
}

/**
 * The `POST /applications` body for a new registration. The Application ID URI and the pre-authorized
 * clients come in a second call (`updateAfterCreate`): the URI needs the client id Graph assigns, and
 * pre-authorizing needs the scope to exist first.
 */
export function createApplicationBody(
  input: RegistrationInput,
  ids: NewIds,
  permissionIds: (resourceAppId: string, value: string) => string,
): GraphApplication {
  const redirects = redirectUris(input.baseUrl);
  return {
    displayName: input.displayName ?? DEFAULT_DISPLAY_NAME,
    signInAudience: "AzureADMyOrg",
    spa: { redirectUris: redirects.spa },
    web: { redirectUris: redirects.web },
    api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [apiScopeDefinition(ids.scopeId)] },
    appRoles: [platformAdminRole(ids.roleId)],
    optionalClaims: OPTIONAL_CLAIMS,
    requiredResourceAccess: requiredResourceAccess(permissionIds),
  };
}

const union = (a: readonly string[] = [], b: readonly string[] = []): string[] => [...new Set([...a, ...b])];

function mergeByKey<T>(existing: readonly T[] = [], desired: readonly T[], key: (item: T) => string): T[] {
  const known = new Set(existing.map(key));
  return [...existing, ...desired.filter((item) => !known.has(key(item)))];
}

/**
 * The first `PATCH /applications/{id}` body that brings an existing registration (Graph's `GET` of it,
 * or the object `POST` answered) to what this product needs without losing anything: Graph replaces
 * whole collections, so each one is sent merged. Existing scopes and app roles keep their ids (an
 * enabled scope can't be removed, and consents refer to ids); redirect URIs, identifier URIs, optional
 * claims and required permissions are merged, never dropped. Pre-authorized clients come after, in
 * `preAuthorizeBody`, once the scope surely exists.
 * @example const body = updateApplicationBody(existing, { baseUrl: "https://sync.contoso.com" }, newIds, ids);
 */
export function updateApplicationBody(
  existing: GraphApplication & { appId: string },
  input: RegistrationInput,
  newIds: NewIds,
  permissionIds: (resourceAppId: string, value: string) => string,
): GraphApplication {
  const redirects = redirectUris(input.baseUrl);
  const scopes = existing.api?.oauth2PermissionScopes ?? [];
  const roles = existing.appRoles ?? [];
  const required = [...(existing.requiredResourceAccess ?? [])].map((r) => ({ ...r }));
  for (const wanted of requiredResourceAccess(permissionIds)) {
    const entry = required.find((r) => r.resourceAppId === wanted.resourceAppId);
    if (entry) entry.resourceAccess = mergeByKey(entry.resourceAccess, wanted.resourceAccess, (a) => a.id);
    else required.push(wanted);
  }
  const claims = existing.optionalClaims ?? {};
  return {
    identifierUris: union(existing.identifierUris, [
      identifierUri(input.baseUrl, existing.appId, input.identifierUriForm),
    ]),
    spa: { redirectUris: union(existing.spa?.redirectUris, redirects.spa) },
    web: { ...existing.web, redirectUris: union(existing.web?.redirectUris, redirects.web) },
    api: {
      ...existing.api,
      requestedAccessTokenVersion: 2,
      oauth2PermissionScopes: mergeByKey(scopes, [apiScopeDefinition(newIds.scopeId)], (s) => s.value),
    },
    appRoles: mergeByKey(roles, [platformAdminRole(newIds.roleId)], (r) => r.value),
    optionalClaims: {
      ...claims,
      accessToken: mergeByKey(claims.accessToken, OPTIONAL_CLAIMS.accessToken, (c) => c.name),
      idToken: mergeByKey(claims.idToken, OPTIONAL_CLAIMS.idToken, (c) => c.name),
    },
    requiredResourceAccess: required,
  };
}

/**
 * The second `PATCH /applications/{id}` body: the host clients Microsoft lists pre-authorized for the
 * `access_as_user` scope (the registration after `updateApplicationBody`, where the scope exists),
 * merged with the clients already there. The whole `api` object is sent, as Graph replaces it.
 */
export function preAuthorizeBody(application: GraphApplication): GraphApplication {
  const api = application.api ?? {};
  const scope = api.oauth2PermissionScopes?.find((s) => s.value === API_SCOPE_NAME);
  if (!scope) throw new Error(`the registration has no ${API_SCOPE_NAME} scope yet; apply the update first`);
  const preAuthorized = (api.preAuthorizedApplications ?? []).map((p) => ({ ...p }));
  for (const client of PRE_AUTHORIZED_CLIENTS) {
    const entry = preAuthorized.find((p) => p.appId === client.appId);
    if (entry) entry.delegatedPermissionIds = union(entry.delegatedPermissionIds, [scope.id]);
    else preAuthorized.push({ appId: client.appId, delegatedPermissionIds: [scope.id] });
  }
  return { api: { ...api, preAuthorizedApplications: preAuthorized } };
}

/**
 * The URL a tenant admin opens once to grant the delegated permissions for the whole organization.
 * @example adminConsentUrl("Global", "contoso.onmicrosoft.com", clientId)
 */
export function adminConsentUrl(environment: EntraEnvironment, tenant: string, clientId: string): string {
  return `${ENTRA_ENVIRONMENTS[environment]}/${encodeURIComponent(tenant)}/adminconsent?client_id=${encodeURIComponent(clientId)}`;
}
