import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import type { Configuration } from "@azure/msal-node";
import type { Config } from "../config";

/** Hosts of Microsoft's own authorities (public and national clouds): AAD protocol mode, tenant in the path. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.partner.microsoftonline.cn",
  "login.chinacloudapi.cn",
  "login.microsoft.com",
  "login.windows.net",
]);

/** The Entra app as Connect account uses it: msal-node's `auth` and `system` options and the callback. */
export interface ConnectAccountSettings {
  clientId: string;
  /** Tenant the service account must belong to (ENTRA_TENANT_ID), when configured. */
  tenantId?: string;
  msalAuth: Configuration["auth"];
  protocolMode: "AAD" | "OIDC";
  caFile?: string;
  /** `<BASE_URL>/api/v1/oauth/callback`: registered as a Web redirect URI of the app. */
  redirectUri: string;
}

/** The callback path under the server's base URL. */
export const CALLBACK_PATH = "/api/v1/oauth/callback";

/**
 * Connect account's settings from the configuration, or undefined when the Entra app (client id and a
 * secret or certificate) is not configured. Microsoft authorities get `<authority>/<tenant>` (or
 * `organizations`); any other authority (a test identity provider) is used as the issuer in OIDC mode.
 * @example const settings = connectAccountSettings(config); // undefined without ENTRA_CLIENT_ID
 */
export function connectAccountSettings(config: Config): ConnectAccountSettings | undefined {
  const { clientId, clientSecret, clientCertFile, tenantId, authority, caFile } = config.entra;
  if (!clientId || (!clientSecret && !clientCertFile)) return undefined;
  const url = new URL(authority);
  const microsoft = MICROSOFT_AUTHORITY_HOSTS.has(url.hostname.toLowerCase());
  const credential = clientSecret
    ? { clientSecret }
    : { clientCertificate: certificateFrom(clientCertFile!) };
  const msalAuth: Configuration["auth"] = microsoft
    ? { clientId, authority: `${url.origin}/${tenantId ?? "organizations"}`, ...credential }
    : { clientId, authority, knownAuthorities: [url.host], ...credential };
  return {
    clientId,
    tenantId,
    msalAuth,
    protocolMode: microsoft ? "AAD" : "OIDC",
    caFile,
    redirectUri: `${config.baseUrl}${CALLBACK_PATH}`,
  };
}

/** A PEM file with the certificate and its private key → msal-node's `clientCertificate` (SHA-256 thumbprint, x5c). */
function certificateFrom(file: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const pem = readFileSync(file, "utf8");
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const keyPem =
    /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!certPem || !keyPem) {
    throw new Error("ENTRA_CLIENT_CERT_FILE: must hold the certificate and its private key (PEM)");
  }
  const thumbprintSha256 = new X509Certificate(certPem).fingerprint256.replace(/:/g, "");
  return { thumbprintSha256, privateKey: keyPem, x5c: certPem };
}

/**
 * The resource (token audience) for an EWS URL: `https://<EWS host>`, as Exchange Online and hybrid
 * on-premises Exchange register it (no port, no path), so the token fits the Exchange the profile uses.
 * @example ewsResource("https://mail.contoso.com/EWS/Exchange.asmx") // "https://mail.contoso.com"
 */
export function ewsResource(ewsUrl: string): string {
  return `https://${new URL(ewsUrl).hostname.toLowerCase()}`;
}

/** The scopes Connect account asks for: EWS as the user, and a refresh token. */
export function ewsScopes(ewsUrl: string): string[] {
  return [`${ewsResource(ewsUrl)}/EWS.AccessAsUser.All`];
}

/** Scopes requested at sign-in (msal-node adds openid and profile itself). */
export function signInScopes(ewsUrl: string): string[] {
  return [...ewsScopes(ewsUrl), "offline_access"];
}
