/**
 * The setup check (Settings, platform admins; `GET /api/v1/setup-check`): what this server can verify
 * of the tenant admin's install path, each item passed, failed (with what to do) or a warning, and the
 * parts only Entra can show listed as "confirm in Entra" with where to look.
 */
import type { SetupCheckItem } from "../../contract/install";
import { buildAppPackage, packageVersion } from "../../manifest/app-package";
import { fetchTrusting, type GetFetch } from "../auth/ca-fetch";
import {
  acceptedAudiences,
  allowedTenants,
  API_SCOPE_NAME,
  applicationIdUri,
  isMicrosoftAuthority,
  PLATFORM_ADMIN_ROLE,
} from "../auth/entra";
import type { Config } from "../config";
import { PRE_AUTHORIZED_CLIENTS, redirectUris } from "./entra-app";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long the check waits for the authority. */
const AUTHORITY_TIMEOUT_MS = 5000;
/** Discovery documents and key sets are small; a larger answer is not one. */
const MAX_AUTHORITY_ANSWER_BYTES = 1024 * 1024;
const SCRIPT_FIX =
  "Run the script under Settings > Install in Microsoft 365 (npm run entra:app): it sets this.";

export interface SetupCheckInput {
  config: Config;
  /** The origin the admin's browser reached this server at (scheme and host, as the proxy tells it). */
  requestOrigin: string;
  /** Fetch for the authority (trusting ENTRA_CA_FILE); tests may pass another. */
  get?: GetFetch;
}

const item = (
  id: string,
  title: string,
  status: SetupCheckItem["status"],
  detail: string,
  fix?: string,
): SetupCheckItem => ({ id, title, status, detail, ...(fix ? { fix } : {}) });

async function readJson(get: GetFetch, url: string): Promise<Record<string, unknown>> {
  const res = await get(url, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(AUTHORITY_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_AUTHORITY_ANSWER_BYTES) throw new Error("the answer is larger than 1 MB");
  const body = JSON.parse(text) as unknown;
  if (!body || typeof body !== "object") throw new Error("the answer is not a JSON object");
  return body as Record<string, unknown>;
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ""}`;
  return error instanceof Error ? error.message : String(error);
}

/** BASE_URL: https, and the address the admin used to reach this server. */
function baseUrlItems(config: Config, requestOrigin: string): SetupCheckItem[] {
  const base = new URL(config.baseUrl);
  return [
    base.protocol === "https:"
      ? item("base-url-https", "BASE_URL is https", "passed", `BASE_URL is ${config.baseUrl}.`)
      : item(
          "base-url-https",
          "BASE_URL is https",
          "failed",
          `BASE_URL is ${config.baseUrl}; Teams, Outlook and Entra ID load and redirect only to https pages.`,
          "Set BASE_URL to the public https URL of this server (behind a TLS proxy, also set TRUST_PROXY).",
        ),
    requestOrigin === base.origin
      ? item(
          "base-url-this-server",
          "BASE_URL is this server",
          "passed",
          `You reached this server at ${requestOrigin}.`,
        )
      : item(
          "base-url-this-server",
          "BASE_URL is this server",
          "failed",
          `You reached this server at ${requestOrigin}, but BASE_URL is ${base.origin}: the app package, the redirect URIs and the token audience all name ${base.host}.`,
          "Set BASE_URL to the address people use. Behind a TLS proxy, set TRUST_PROXY so the server sees the proxy's https and host.",
        ),
  ];
}

/** ENTRA_* values that must agree with each other and with the registration. */
function entraSettingItems(config: Config): SetupCheckItem[] {
  const { entra } = config;
  const items: SetupCheckItem[] = [];
  items.push(
    config.appId
      ? item("app-id", "APP_ID is set", "passed", `The app package's id is ${config.appId}.`)
      : item(
          "app-id",
          "APP_ID is set",
          "failed",
          "APP_ID is not set, so no app package can be built.",
          'Set APP_ID to a GUID of your own (node -e "console.log(crypto.randomUUID())") and keep it for every later version.',
        ),
  );
  if (!entra.clientId) {
    items.push(
      item(
        "entra-client-id",
        "ENTRA_CLIENT_ID is set",
        "failed",
        "ENTRA_CLIENT_ID is not set: sign-in with Microsoft, the tabs and the side pane are off.",
        `Register the app (${SCRIPT_FIX.replace(": it sets this.", "")}) and set the ENTRA_* lines it prints.`,
      ),
    );
    return items;
  }
  items.push(
    GUID.test(entra.clientId)
      ? item("entra-client-id", "ENTRA_CLIENT_ID is set", "passed", `Client id ${entra.clientId}.`)
      : item(
          "entra-client-id",
          "ENTRA_CLIENT_ID is set",
          "failed",
          `ENTRA_CLIENT_ID "${entra.clientId}" is not a GUID; Entra client ids are.`,
          "Copy the Application (client) ID from the registration's Overview page.",
        ),
  );
  const tenants = allowedTenants(entra);
  items.push(
    tenants.length > 0
      ? item(
          "entra-tenants",
          "Tenants whose people may sign in",
          "passed",
          `ENTRA_ALLOWED_TENANTS: ${tenants.join(", ")}.`,
        )
      : item(
          "entra-tenants",
          "Tenants whose people may sign in",
          "failed",
          "Neither ENTRA_ALLOWED_TENANTS nor ENTRA_TENANT_ID is set: every token is refused.",
          "Set ENTRA_ALLOWED_TENANTS (or ENTRA_TENANT_ID) to your tenant id.",
        ),
  );
  const appIdUri = applicationIdUri(entra.clientId, config.baseUrl, entra.appIdUri);
  const formOk =
    appIdUri === `api://${entra.clientId}` ||
    appIdUri === `api://${new URL(config.baseUrl).host}/${entra.clientId}`;
  items.push(
    formOk
      ? item(
          "entra-app-id-uri",
          "Application ID URI",
          "passed",
          `Tokens must be issued for ${appIdUri}${entra.appIdUri ? " (ENTRA_APP_ID_URI)" : ""}.`,
        )
      : item(
          "entra-app-id-uri",
          "Application ID URI",
          "failed",
          `ENTRA_APP_ID_URI is ${appIdUri}; it must be api://${new URL(config.baseUrl).host}/${entra.clientId} or api://${entra.clientId}.`,
          "Set ENTRA_APP_ID_URI to the URI on the registration's Expose an API page, or remove it for the default.",
        ),
  );
  const connectReady = Boolean(entra.tenantId && (entra.clientSecret || entra.clientCertFile));
  items.push(
    connectReady
      ? item(
          "connect-account",
          "Connect account (OAuth impersonated logon)",
          "passed",
          `Tenant ${String(entra.tenantId)} with a ${entra.clientCertFile ? "certificate" : "client secret"}.`,
        )
      : item(
          "connect-account",
          "Connect account (OAuth impersonated logon)",
          "warning",
          "Connect account needs ENTRA_TENANT_ID and ENTRA_CLIENT_SECRET or ENTRA_CLIENT_CERT_FILE; profiles on other access types don't.",
          "Create a secret (the script's -AddClientSecret) or upload a certificate to the registration, then set them.",
        ),
  );
  return items;
}

/** The authority's discovery document and signing keys, as the token checks will fetch them. */
async function authorityItems(config: Config, get: GetFetch): Promise<SetupCheckItem[]> {
  const { entra } = config;
  const tenants = allowedTenants(entra);
  const discoveryUrl =
    isMicrosoftAuthority(entra.authority) && tenants[0]
      ? `${entra.authority}/${tenants[0]}/v2.0/.well-known/openid-configuration`
      : `${entra.authority}/.well-known/openid-configuration`;
  let document: Record<string, unknown>;
  try {
    document = await readJson(get, discoveryUrl);
  } catch (error) {
    return [
      item(
        "authority-discovery",
        "The authority's discovery document",
        "failed",
        `${discoveryUrl} could not be read: ${describeError(error)}.`,
        "Check ENTRA_AUTHORITY (and ENTRA_CA_FILE for a private CA), the tenant id, and that this server can reach it (proxy, firewall).",
      ),
    ];
  }
  const jwksUri = typeof document.jwks_uri === "string" ? document.jwks_uri : undefined;
  const items = [
    item(
      "authority-discovery",
      "The authority's discovery document",
      jwksUri ? "passed" : "failed",
      jwksUri
        ? `${discoveryUrl} names the issuer ${String(document.issuer)}.`
        : `${discoveryUrl} has no jwks_uri.`,
      jwksUri ? undefined : "ENTRA_AUTHORITY must be an OpenID Connect authority.",
    ),
  ];
  if (!jwksUri) return items;
  try {
    const keys = (await readJson(get, jwksUri)).keys;
    const count = Array.isArray(keys) ? keys.length : 0;
    items.push(
      count > 0
        ? item(
            "authority-keys",
            "The authority's signing keys",
            "passed",
            `${jwksUri} lists ${count} key(s).`,
          )
        : item(
            "authority-keys",
            "The authority's signing keys",
            "failed",
            `${jwksUri} lists no keys.`,
            "Check ENTRA_AUTHORITY.",
          ),
    );
  } catch (error) {
    items.push(
      item(
        "authority-keys",
        "The authority's signing keys",
        "failed",
        `${jwksUri} could not be read: ${describeError(error)}.`,
        "Check that this server can reach the authority's keys (proxy, firewall, ENTRA_CA_FILE).",
      ),
    );
  }
  return items;
}

/** The package this server hands out: valid, its domain this server's, and its SSO resource the token audience. */
async function packageItems(config: Config): Promise<SetupCheckItem[]> {
  const clientId = config.entra.clientId;
  if (!config.appId || !clientId) return [];
  const { manifest, problems } = await buildAppPackage({
    appId: config.appId,
    baseUrl: config.baseUrl,
    clientId,
    version: packageVersion(),
    appIdUri: config.entra.appIdUri,
  });
  const resource = (manifest.webApplicationInfo as { resource?: unknown } | undefined)?.resource;
  const audiences = acceptedAudiences(clientId, config.baseUrl, config.entra.appIdUri);
  return [
    problems.length === 0
      ? item(
          "app-package",
          "The app package",
          "passed",
          `Valid against the v1.30 schema and the package checks; validDomains: ${String(manifest.validDomains)}.`,
        )
      : item(
          "app-package",
          "The app package",
          "failed",
          problems.join("\n"),
          "Fix the settings named above; npm run package prints the same list.",
        ),
    typeof resource === "string" && audiences.includes(resource)
      ? item(
          "token-audience",
          "The token audience the package promises",
          "passed",
          `webApplicationInfo.resource ${resource} is an audience this server accepts; the panel asks for ${resource}/${API_SCOPE_NAME}.`,
        )
      : item(
          "token-audience",
          "The token audience the package promises",
          "failed",
          `webApplicationInfo.resource is ${String(resource)}, but this server accepts tokens for ${audiences.join(" or ")}.`,
          "Set ENTRA_APP_ID_URI to the registration's Application ID URI and download the package again.",
        ),
  ];
}

/** What only the registration itself shows: listed so the admin confirms each in Entra. */
function confirmInEntraItems(config: Config): SetupCheckItem[] {
  const redirects = redirectUris(config.baseUrl);
  const clientId = config.entra.clientId ?? "<client id>";
  const where = `Entra admin center > App registrations > ${clientId}`;
  return [
    item(
      "entra-spa-redirects",
      "Single-page application redirects",
      "confirm",
      `${where} > Authentication: ${redirects.spa.join(" and ")} under "Single-page application". Without brk-multihub:// nested app authentication fails inside Teams and Outlook.`,
      SCRIPT_FIX,
    ),
    item(
      "entra-web-redirect",
      "Web redirect for Connect account",
      "confirm",
      `${where} > Authentication: ${redirects.web[0]} under "Web".`,
      SCRIPT_FIX,
    ),
    item(
      "entra-scope",
      `Scope ${API_SCOPE_NAME} and pre-authorized hosts`,
      "confirm",
      `${where} > Expose an API: ${applicationIdUri(clientId, config.baseUrl, config.entra.appIdUri)}/${API_SCOPE_NAME}, with ${PRE_AUTHORIZED_CLIENTS.length} client applications (Teams, Microsoft 365, Outlook, Office add-ins) authorized for it.`,
      SCRIPT_FIX,
    ),
    item(
      "entra-optional-claims",
      "Optional claims",
      "confirm",
      `${where} > Token configuration: upn and acct in access tokens (else end users see "no-upn"), upn in ID tokens (else Connect account refuses the account).`,
      SCRIPT_FIX,
    ),
    item(
      "entra-app-role",
      `App role ${PLATFORM_ADMIN_ROLE}`,
      "confirm",
      `${where} > App roles: ${PLATFORM_ADMIN_ROLE}, assigned to your platform admins under Enterprise applications > Users and groups.`,
      SCRIPT_FIX,
    ),
    item(
      "entra-consent",
      "Admin consent",
      "confirm",
      `${where} > API permissions: Microsoft Graph User.Read, openid, profile, offline_access and Office 365 Exchange Online EWS.AccessAsUser.All granted for your organization.`,
      "Open the admin-consent URL the script prints, signed in as an admin.",
    ),
  ];
}

/**
 * Runs every check; nothing is changed and no secret is shown.
 * @example const items = await runSetupCheck({ config, requestOrigin: "https://sync.contoso.com" });
 */
export async function runSetupCheck({
  config,
  requestOrigin,
  get,
}: SetupCheckInput): Promise<SetupCheckItem[]> {
  const items = [...baseUrlItems(config, requestOrigin), ...entraSettingItems(config)];
  if (config.entra.clientId) {
    items.push(...(await authorityItems(config, get ?? fetchTrusting(config.entra.caFile))));
  }
  items.push(...(await packageItems(config)));
  if (config.entra.clientId) items.push(...confirmInEntraItems(config));
  return items;
}
