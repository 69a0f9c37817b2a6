import { hash } from "node:crypto";
import { AuthError, ConfidentialClientApplication, LogLevel, type Configuration } from "@azure/msal-node";
import { decodeJwt } from "jose";
import type { Logger } from "../logger";
import { IdentityProviderNetworkError, TrustingNetworkClient } from "../oauth/network";
import type { AppIdentitySecret, AppIdentitySettings } from "./app-only-identity";
import type { AccessFailure } from "./types";

/** What the app-only types need from the configuration (ENTRA_AUTHORITY, ENTRA_CA_FILE, GRAPH_BASE_URL). */
export interface AppOnlyDeps {
  /** `https://login.microsoftonline.com` (the tenant is appended), or a test identity provider's issuer. */
  authority: string;
  caFile?: string;
  /** `https://graph.microsoft.com/v1.0`, or the simulator's `/v1.0`. */
  graphBaseUrl: string;
  log?: Logger;
}

/** An app-only token, its `roles` and the service principal's object id (`oid`), or why there is none. */
export type AppTokenOutcome =
  | {
      ok: true;
      accessToken: string;
      expiresAt: number;
      roles: string[];
      servicePrincipalId: string | null;
      fromCache: boolean;
    }
  | { ok: false; failure: AccessFailure };

const MICROSOFT_AUTHORITY_HOSTS = new Set([
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.partner.microsoftonline.cn",
  "login.chinacloudapi.cn",
  "login.microsoft.com",
]);

interface Entry {
  message: (app: string) => string;
  remediation: (app: string) => string;
  transient: boolean;
}

/** The app-only token failures: AADSTS codes → message and what to do in Entra. */
export const APP_TOKEN_FAILURES: Record<string, Entry> = {
  AppSecretInvalid: {
    message: (app) =>
      `Entra ID refused the client secret of app ${app} (AADSTS7000215 invalid, or AADSTS7000222 expired).`,
    remediation: () =>
      "Entra admin center > App registrations > the app > Certificates & secrets: create a new client secret and enter its Value (not its Secret ID) here. Better: upload a certificate instead.",
    transient: false,
  },
  AppCertificateInvalid: {
    message: (app) =>
      `Entra ID refused the certificate of app ${app} (AADSTS700027): it is expired, or not registered with the app.`,
    remediation: () =>
      "Entra admin center > App registrations > the app > Certificates & secrets > Certificates: upload the public certificate (.cer/.pem) whose thumbprint this panel shows, and check its expiry. If it expired, create a new certificate and upload it both there and here.",
    transient: false,
  },
  AppTenantNotFound: {
    message: () => "Entra ID has no such tenant (AADSTS90002).",
    remediation: () =>
      "Enter the Directory (tenant) ID from Entra admin center > Overview (a GUID), or a verified domain such as contoso.onmicrosoft.com.",
    transient: false,
  },
  AppNotFound: {
    message: (app) => `Application ${app} was not found in the tenant (AADSTS700016).`,
    remediation: () =>
      "Enter the Application (client) ID from Entra admin center > App registrations > the app > Overview, and check the tenant id: the app must be registered in (or consented to by) that tenant.",
    transient: false,
  },
  AppResourceNotFound: {
    message: () =>
      "Entra ID does not know the resource the token was asked for (AADSTS500011 / AADSTS70011).",
    remediation: () =>
      "Check the EWS URL or GRAPH_BASE_URL: the token is asked for https://<its host>/.default, which must be Exchange Online (outlook.office365.com) or Microsoft Graph (graph.microsoft.com).",
    transient: false,
  },
  AppTokenRefused: {
    message: () => "Entra ID refused to issue an app-only token.",
    remediation: () =>
      "Read Entra's message below; the app registration's sign-in logs (Service principal sign-ins) show the same error.",
    transient: false,
  },
  AppIdentityProviderUnavailable: {
    message: () => "Entra ID (the token authority) could not be reached.",
    remediation: () =>
      "Transient: retried later. If it persists, check that this server reaches the authority (ENTRA_AUTHORITY) and trusts its certificate (ENTRA_CA_FILE).",
    transient: true,
  },
};

/** Builds a failure from the table, with the raw provider text (never a secret). */
export function appTokenFailure(
  code: keyof typeof APP_TOKEN_FAILURES,
  app: string,
  raw?: string,
): AccessFailure {
  const e = APP_TOKEN_FAILURES[code];
  return {
    code,
    message: e.message(app),
    remediation: e.remediation(app),
    transient: e.transient,
    ...(e.transient ? {} : { serviceAccountFailure: true }),
    ...(raw ? { raw: raw.slice(0, 1000) } : {}),
  };
}

/** Maps an AADSTS number (or OAuth error) to the table. */
export function mapAppTokenError(text: string, app: string, errorCode?: string): AccessFailure {
  const codes = new Set([...text.matchAll(/AADSTS(\d+)/g)].map((m) => m[1]));
  if (codes.has("7000215") || codes.has("7000222")) return appTokenFailure("AppSecretInvalid", app, text);
  if (codes.has("700027") || codes.has("700024") || codes.has("50012")) {
    return appTokenFailure("AppCertificateInvalid", app, text);
  }
  if (codes.has("90002") || codes.has("90023") || codes.has("900023")) {
    return appTokenFailure("AppTenantNotFound", app, text);
  }
  if (codes.has("700016")) return appTokenFailure("AppNotFound", app, text);
  if (codes.has("500011") || codes.has("70011")) return appTokenFailure("AppResourceNotFound", app, text);
  if (errorCode === "invalid_client") return appTokenFailure("AppSecretInvalid", app, text);
  return appTokenFailure("AppTokenRefused", app, text);
}

/**
 * The token resource for a service URL: `https://<host>` (no port, no path), as Entra registers
 * Exchange Online and Graph; tests point the URL at the simulator and the identity provider follows.
 * @example appOnlyScope("https://outlook.office365.com/EWS/Exchange.asmx") // "https://outlook.office365.com/.default"
 */
export function appOnlyScope(serviceUrl: string): string {
  return `https://${new URL(serviceUrl).hostname.toLowerCase()}/.default`;
}

/** Credential digests of frozen (opened, unchanging) configurations, by their secret (see AppOnlyTokens.key). */
const digests = new WeakMap<AppIdentitySecret, { settings: AppIdentitySettings; digest: string }>();

/**
 * App-only tokens by client credentials (msal-node ConfidentialClientApplication with a certificate or a
 * secret), one application per profile and credential, kept in memory until shortly before expiry;
 * concurrent requests for the same token are coalesced.
 * @example const t = await tokens.token(profileId, settings, secret, appOnlyScope(ewsUrl));
 */
export class AppOnlyTokens {
  private readonly apps = new Map<string, ConfidentialClientApplication>();
  /** Each token with its decoded claims (`cached`), so a hot path (the Graph gateway) never decodes it again. */
  private readonly memory = new Map<
    string,
    { expiresAt: number; obtainedAt: number; cached: AppTokenOutcome & { ok: true } }
  >();
  private readonly inflight = new Map<string, Promise<AppTokenOutcome>>();
  private readonly network: TrustingNetworkClient;

  constructor(private readonly deps: AppOnlyDeps) {
    this.network = new TrustingNetworkClient(deps.caFile);
  }

  /** `<authority>/<tenant>`, and whether it is Microsoft's (AAD mode) or another OpenID provider (OIDC mode). */
  authorityFor(tenantId: string): { authority: string; microsoft: boolean; discoveryUrl: string } {
    const base = new URL(this.deps.authority);
    const microsoft = MICROSOFT_AUTHORITY_HOSTS.has(base.hostname.toLowerCase());
    // Microsoft's authorities take the tenant right after the host (ENTRA_AUTHORITY may name /organizations); others keep their path.
    const authority = `${base.origin}${microsoft ? "" : base.pathname.replace(/\/+$/, "")}/${encodeURIComponent(tenantId)}`;
    return {
      authority,
      microsoft,
      discoveryUrl: `${authority}${microsoft ? "/v2.0" : ""}/.well-known/openid-configuration`,
    };
  }

  private key(profileId: string, settings: AppIdentitySettings, secret: AppIdentitySecret): string {
    // An opened configuration is frozen and shared by calls until it changes (MailboxAccessService.openRow):
    // its digest is computed once, not per call (a gateway call asks for its token every time).
    const memo = Object.isFrozen(secret) && Object.isFrozen(settings);
    const known = memo ? digests.get(secret) : undefined;
    let digest = known?.settings === settings ? known.digest : undefined;
    if (digest === undefined) {
      const credential = secret.clientSecret ?? `${secret.certificatePem ?? ""}${secret.privateKeyPem ?? ""}`;
      digest = hash(
        "sha256",
        `${settings.tenantId}\u0000${settings.clientId}\u0000${settings.signInWith}\u0000${credential}`,
        "base64url",
      );
      if (memo) digests.set(secret, { settings, digest });
    }
    return `${profileId}\u0000${digest}`;
  }

  private app(
    key: string,
    settings: AppIdentitySettings,
    secret: AppIdentitySecret,
  ): ConfidentialClientApplication {
    let app = this.apps.get(key);
    if (app) return app;
    const { authority, microsoft } = this.authorityFor(settings.tenantId);
    const credential =
      settings.signInWith === "certificate" && secret.privateKeyPem && settings.cert
        ? {
            clientCertificate: {
              thumbprintSha256: settings.cert.thumbprintSha256,
              privateKey: secret.privateKeyPem,
              x5c: secret.certificatePem,
            },
          }
        : { clientSecret: secret.clientSecret ?? "" };
    const config: Configuration = {
      auth: {
        clientId: settings.clientId,
        authority,
        ...(microsoft ? {} : { knownAuthorities: [new URL(authority).host] }),
        ...credential,
      },
      system: {
        networkClient: this.network,
        protocolMode: microsoft ? "AAD" : "OIDC",
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_l, message, pii) =>
            pii ? undefined : this.deps.log?.debug({ msal: message }, "msal-node"),
        },
      },
    };
    app = new ConfidentialClientApplication(config);
    for (const k of this.apps.keys()) {
      if (k.startsWith(key.split("\u0000")[0] + "\u0000")) this.apps.delete(k);
    }
    this.apps.set(key, app);
    return app;
  }

  /** An app-only token for `scope` (`https://<host>/.default`), or the mapped failure. */
  token(
    profileId: string,
    settings: AppIdentitySettings,
    secret: AppIdentitySecret | null,
    scope: string,
  ): Promise<AppTokenOutcome> {
    if (!secret || (!secret.clientSecret && !secret.privateKeyPem)) {
      return Promise.resolve({
        ok: false,
        failure: appTokenFailure(
          "AppSecretInvalid",
          settings.clientId,
          "No credential is stored: enter a client secret or upload a certificate.",
        ),
      });
    }
    if (
      settings.signInWith === "certificate" &&
      settings.cert &&
      Date.parse(settings.cert.notAfter) <= Date.now()
    ) {
      // Entra refuses an expired certificate with AADSTS700027; say so without a round trip.
      return Promise.resolve({
        ok: false,
        failure: appTokenFailure(
          "AppCertificateInvalid",
          settings.clientId,
          `The certificate ${settings.cert.thumbprint} expired on ${settings.cert.notAfter}.`,
        ),
      });
    }
    const key = `${this.key(profileId, settings, secret)}\u0000${scope}`;
    const cached = this.memory.get(key);
    if (
      cached &&
      cached.expiresAt - Math.min(120_000, Math.max(2_000, (cached.expiresAt - cached.obtainedAt) / 10)) >
        Date.now()
    ) {
      return Promise.resolve(cached.cached);
    }
    const running = this.inflight.get(key);
    if (running) return running;
    const promise = this.acquire(key, settings, secret, scope).finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private async acquire(
    key: string,
    settings: AppIdentitySettings,
    secret: AppIdentitySecret,
    scope: string,
  ): Promise<AppTokenOutcome> {
    try {
      const result = await this.app(
        key.split("\u0000").slice(0, 2).join("\u0000"),
        settings,
        secret,
      ).acquireTokenByClientCredential({ scopes: [scope] });
      if (!result?.accessToken) {
        return {
          ok: false,
          failure: appTokenFailure(
            "AppTokenRefused",
            settings.clientId,
            "The token response held no access token.",
          ),
        };
      }
      const expiresAt = result.expiresOn?.getTime() ?? Date.now() + 5 * 60_000;
      // Tokens of this profile's earlier credentials are dead weight once it changed.
      const profilePart = key.split("\u0000").slice(0, 2).join("\u0000");
      for (const k of this.memory.keys()) {
        if (k.startsWith(`${key.split("\u0000")[0]}\u0000`) && !k.startsWith(`${profilePart}\u0000`)) {
          this.memory.delete(k);
        }
      }
      const fresh = outcome(result.accessToken, expiresAt, result.fromCache);
      this.memory.set(key, { expiresAt, obtainedAt: Date.now(), cached: { ...fresh, fromCache: true } });
      return fresh;
    } catch (error) {
      const failure = await this.mapError(error, settings);
      this.deps.log?.warn(
        { clientId: settings.clientId, tenantId: settings.tenantId, code: failure.code, raw: failure.raw },
        "could not get an app-only token",
      );
      return { ok: false, failure };
    }
  }

  /** msal-node's error → failure; a failed authority discovery is asked again to read Entra's AADSTS code (wrong tenant). */
  private async mapError(error: unknown, settings: AppIdentitySettings): Promise<AccessFailure> {
    const app = settings.clientId;
    if (error instanceof IdentityProviderNetworkError) {
      return appTokenFailure("AppIdentityProviderUnavailable", app, error.message);
    }
    if (!(error instanceof AuthError)) {
      return appTokenFailure(
        "AppIdentityProviderUnavailable",
        app,
        error instanceof Error ? error.message : String(error),
      );
    }
    const text = `${error.errorCode}: ${error.errorMessage}`;
    if (/AADSTS\d+/.test(text)) return mapAppTokenError(text, app, error.errorCode);
    if (
      error.errorCode === "endpoints_resolution_error" ||
      error.errorCode === "openid_config_error" ||
      error.errorCode === "untrusted_authority"
    ) {
      try {
        const answer = await this.network.sendGetRequestAsync<{ error?: string; error_description?: string }>(
          this.authorityFor(settings.tenantId).discoveryUrl,
        );
        if (answer.body.error_description) {
          return mapAppTokenError(
            `${answer.body.error ?? ""}: ${answer.body.error_description}`,
            app,
            answer.body.error,
          );
        }
      } catch (probe) {
        return appTokenFailure(
          "AppIdentityProviderUnavailable",
          app,
          probe instanceof Error ? probe.message : String(probe),
        );
      }
    }
    if (
      error.errorCode === "network_error" ||
      /ECONNREFUSED|ENOTFOUND|timeout|could not be reached/i.test(text)
    ) {
      return appTokenFailure("AppIdentityProviderUnavailable", app, text);
    }
    return appTokenFailure("AppTokenRefused", app, text);
  }

  /** Drops the apps and tokens of a profile (its configuration changed). */
  forget(profileId: string): void {
    for (const k of [...this.apps.keys()]) if (k.startsWith(`${profileId}\u0000`)) this.apps.delete(k);
    for (const k of [...this.memory.keys()]) if (k.startsWith(`${profileId}\u0000`)) this.memory.delete(k);
  }

  close(): void {
    this.network.close();
  }
}

const shared = new WeakMap<object, AppOnlyTokens>();

/**
 * The process's app-only token source for these access deps (both app-only types share it).
 * @example const tokens = appOnlyTokensFor(deps);
 */
export function appOnlyTokensFor(deps: { appOnly?: AppOnlyDeps }): AppOnlyTokens {
  const key = deps.appOnly ?? deps;
  let tokens = shared.get(key);
  if (!tokens) {
    tokens = new AppOnlyTokens(
      deps.appOnly ?? {
        authority: "https://login.microsoftonline.com",
        graphBaseUrl: "https://graph.microsoft.com/v1.0",
      },
    );
    shared.set(key, tokens);
  }
  return tokens;
}

/** Reads the token's `roles` and `oid` (not verifying it: the token is ours, read for diagnosis only). */
function outcome(accessToken: string, expiresAt: number, fromCache: boolean): AppTokenOutcome & { ok: true } {
  let roles: string[] = [];
  let servicePrincipalId: string | null = null;
  try {
    const claims = decodeJwt(accessToken);
    roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
    servicePrincipalId = typeof claims.oid === "string" ? claims.oid : null;
  } catch {
    // An opaque token (not a JWT): no roles to read.
  }
  return { ok: true, accessToken, expiresAt, roles, servicePrincipalId, fromCache };
}
