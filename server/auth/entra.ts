import type { Request } from "express";
import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { Config } from "../config";
import { unauthorized } from "../errors";
import type { Logger } from "../logger";
import { fetchTrusting, type GetFetch } from "./ca-fetch";
import type { BearerVerifier } from "./middleware";
import type { Principal } from "./principal";

/** The app role that makes a signed-in person a platform admin. */
export const PLATFORM_ADMIN_ROLE = "SyncAdmin.Platform";
/** Clock skew accepted on `exp` and `nbf`, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 60;

const MICROSOFT_AUTHORITY_HOSTS = new Set([
  "login.microsoftonline.com",
  "login.microsoft.com",
  "login.windows.net",
  "login.microsoftonline.us",
  "login.partner.microsoftonline.cn",
  "login.chinacloudapi.cn",
]);

/** Entra claims the product reads. */
interface EntraClaims extends JWTPayload {
  tid?: string;
  oid?: string;
  upn?: string;
  preferred_username?: string;
  scp?: string;
  roles?: string[];
  acct?: number;
  /** Set for people whose home is another identity provider (B2B guests, Microsoft accounts). */
  idp?: string;
}

interface Metadata {
  issuers: string[];
  jwks: ReturnType<typeof createRemoteJWKSet>;
}

/** Validated tokens remembered (by their full text) until they expire: side panes poll with the same token. */
const VERIFIED_CACHE_SIZE = 5000;

/** Why a token was refused: logged, never sent to the caller. */
class TokenRefused extends Error {}

export interface EntraVerifierOptions {
  entra: Config["entra"];
  baseUrl: string;
  log: Logger;
  /** Least time between JWKS fetches triggered by an unknown `kid` (default 30 s, jose's). */
  jwksCooldownMs?: number;
}

/** Tenants whose members may sign in: ENTRA_ALLOWED_TENANTS, else ENTRA_TENANT_ID. */
export function allowedTenants(entra: Config["entra"]): string[] {
  const tenants = entra.allowedTenants.length ? entra.allowedTenants : entra.tenantId ? [entra.tenantId] : [];
  return tenants.map((t) => t.toLowerCase());
}

/** The delegated scope's name the panel asks for (exposed by the app registration). */
export const API_SCOPE_NAME = "access_as_user";

/**
 * The app registration's Application ID URI: ENTRA_APP_ID_URI, else `api://<host of BASE_URL>/<client id>`
 * (the form Teams SSO documents; `api://<client id>` where a tenant's app-management policy refuses it).
 */
export function applicationIdUri(clientId: string, baseUrl: string, appIdUri?: string): string {
  return appIdUri ?? `api://${new URL(baseUrl).host}/${clientId}`;
}

/** The audiences a token for this app may carry: the client id or its Application ID URI. */
export function acceptedAudiences(clientId: string, baseUrl: string, appIdUri?: string): string[] {
  return [clientId, applicationIdUri(clientId, baseUrl, appIdUri)];
}

/** The delegated scope the panel asks for. */
export function apiScope(clientId: string, baseUrl: string, appIdUri?: string): string {
  return `${applicationIdUri(clientId, baseUrl, appIdUri)}/${API_SCOPE_NAME}`;
}

/** True for Microsoft's own login hosts (issuers are then built per tenant, v1 and v2). */
export function isMicrosoftAuthority(authority: string): boolean {
  return MICROSOFT_AUTHORITY_HOSTS.has(new URL(authority).hostname.toLowerCase());
}

/**
 * Validates Entra ID access tokens with jose: RS256 only, JWKS cached (and refetched on an unknown `kid`),
 * issuer per allowed tenant (v1 and v2), audience, expiry with a small skew. Refusals are 401 with a
 * generic message; the reason goes to the log.
 * @example const bearer = createEntraVerifier({ entra: config.entra, baseUrl: config.baseUrl, log });
 */
export function createEntraVerifier({
  entra,
  baseUrl,
  log,
  jwksCooldownMs = 30_000,
}: EntraVerifierOptions): BearerVerifier {
  const clientId = entra.clientId;
  if (!clientId) throw new Error("ENTRA_CLIENT_ID is required for Entra ID sign-in");
  const tenants = allowedTenants(entra);
  if (tenants.length === 0) {
    throw new Error(
      "ENTRA_ALLOWED_TENANTS (or ENTRA_TENANT_ID): set the tenant ids whose people may sign in",
    );
  }
  const audiences = acceptedAudiences(clientId, baseUrl, entra.appIdUri);
  const get = fetchTrusting(entra.caFile);
  const microsoft = isMicrosoftAuthority(entra.authority);
  let metadata: Promise<Metadata> | undefined;

  const loadMetadata = (): Promise<Metadata> => {
    metadata ??= discover(entra.authority, microsoft, tenants, get, jwksCooldownMs).catch(
      (error: unknown) => {
        metadata = undefined; // try again on the next request
        throw error;
      },
    );
    return metadata;
  };

  const verified = new Map<string, { principal: Principal; exp: number }>();

  const validate = async (token: string, req: Request): Promise<Principal> => {
    try {
      const { issuers, jwks } = await loadMetadata();
      const { payload } = await jwtVerify<EntraClaims>(token, jwks, {
        issuer: issuers,
        audience: audiences,
        algorithms: ["RS256"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "tid", "oid"],
      });
      if (!tenants.includes(String(payload.tid).toLowerCase())) {
        throw new TokenRefused(`tenant ${String(payload.tid)} is not in ENTRA_ALLOWED_TENANTS`);
      }
      if (typeof payload.scp !== "string" || !payload.scp) {
        throw new TokenRefused("not a delegated user token (no scp claim)");
      }
      const principal = principalFromClaims(payload);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, { principal, exp: payload.exp! });
      return principal;
    } catch (error) {
      const reason =
        error instanceof joseErrors.JOSEError
          ? `${error.code}: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
      (req.log ?? log).warn({ reason }, "bearer token refused");
      throw unauthorized("Your sign-in token is not valid for this app. Sign in again.");
    }
  };

  // A token validated before answers at once (no promise) until it expires.
  return (token: string, req: Request): Principal | Promise<Principal> => {
    const known = verified.get(token);
    if (known && known.exp + CLOCK_TOLERANCE_SECONDS > Date.now() / 1000) return known.principal;
    if (known) verified.delete(token);
    return validate(token, req);
  };
}

/** The principal a validated token stands for. */
export function principalFromClaims(claims: EntraClaims): Principal {
  const upn = typeof claims.upn === "string" ? claims.upn : undefined;
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  return {
    kind: "entra",
    id: String(claims.oid),
    name: upn ?? claims.preferred_username ?? String(claims.oid),
    platformAdmin: roles.includes(PLATFORM_ADMIN_ROLE),
    upn,
    tid: String(claims.tid),
    oid: String(claims.oid),
    guest: isGuest(claims, upn),
  };
}

/** A guest: `acct` 1 (optional claim), an `#EXT#` UPN, or an `idp` claim naming a home other than this tenant. */
function isGuest(claims: EntraClaims, upn: string | undefined): boolean {
  if (claims.acct === 1 || upn?.toUpperCase().includes("#EXT#")) return true;
  return (
    typeof claims.idp === "string" && !claims.idp.toLowerCase().includes(String(claims.tid).toLowerCase())
  );
}

async function discover(
  authority: string,
  microsoft: boolean,
  tenants: string[],
  get: GetFetch,
  cooldownDuration: number,
): Promise<Metadata> {
  const jwksOptions = { [customFetch]: get, cooldownDuration, cacheMaxAge: 6 * 3600_000 };
  if (microsoft) {
    // Entra's signing keys are shared by all tenants; v1 tokens come from sts.windows.net, v2 from the authority.
    return {
      issuers: tenants.flatMap((t) => [`https://sts.windows.net/${t}/`, `${authority}/${t}/v2.0`]),
      jwks: createRemoteJWKSet(new URL(`${authority}/common/discovery/v2.0/keys`), jwksOptions),
    };
  }
  const res = await get(`${authority}/.well-known/openid-configuration`, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`the authority's discovery document answered HTTP ${res.status}`);
  const document = (await res.json()) as { issuer?: string; jwks_uri?: string };
  if (!document.issuer || !document.jwks_uri) {
    throw new Error("the authority's discovery document has no issuer or jwks_uri");
  }
  return { issuers: [document.issuer], jwks: createRemoteJWKSet(new URL(document.jwks_uri), jwksOptions) };
}
