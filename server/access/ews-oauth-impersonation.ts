import { z } from "zod";
import { EwsUrl } from "../../contract/mailbox-access";
import { loadEws, type EwsClient } from "../ews/client";
import { checkUrl, UrlPolicyError } from "../ews/url-policy";
import { type ConnectedAccount, type OAuthSecret, type OAuthSettings } from "../oauth/connection";
import { tokenFailure, TOKEN_FAILURES } from "../oauth/errors";
import { ewsResource } from "../oauth/settings";
import type { TokenOutcome } from "../oauth/tokens";
import { exchangeOnlineWarning } from "./ews-basic-impersonation";
import { ewsImpersonationSteps } from "./ews-steps";
import type { AccessDeps } from "./deps";
import type { AccessConfig, AccessFailure, ConnectivityStep, MailboxAccessType } from "./types";
import { checkEwsUrl } from "./ews-url";
import { hostOf, originOf } from "./secret-binding";

/** Where the EWS URL points when none is given: Exchange Online. */
const EXCHANGE_ONLINE_EWS = "https://outlook.office365.com/EWS/Exchange.asmx";

const Input = z.object({ ewsUrl: EwsUrl.optional() }).strict();
type Input = z.infer<typeof Input>;
type Config = AccessConfig<OAuthSettings, OAuthSecret>;

/** Exchange answering 401 to a token the provider just issued is not a token problem: say what it is. */
function explainEwsFailure(failure: AccessFailure, upn: string): AccessFailure {
  return failure.code === "TokenInvalid"
    ? { ...tokenFailure("OAuthEwsRefusedToken", upn, failure.raw), transient: false }
    : failure;
}

/**
 * Type 2: "Microsoft 365 OAuth Logon (EWS API) - Impersonated logon". The admin connects a service
 * account once (Connect account: authorization code + PKCE, server/oauth); its msal-node token cache
 * is the secret, sealed in the store; every EWS call gets a fresh token with acquireTokenSilent and
 * impersonates the user with `OAuthCredentials`, `ImpersonatedUserId` and `X-AnchorMailbox`.
 */
export function ewsOAuthImpersonation(
  deps: AccessDeps,
): MailboxAccessType<OAuthSettings, OAuthSecret, Input> {
  const token = (config: Config): Promise<TokenOutcome> => {
    const account = config.settings.account;
    if (!deps.oauth) {
      return Promise.resolve({
        ok: false,
        failure: {
          ...tokenFailure("OAuthAppMisconfigured"),
          message:
            "Connect account is not configured on this server (ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET or ENTRA_CLIENT_CERT_FILE).",
        },
      });
    }
    if (!account || !config.secret?.homeAccountId) {
      return Promise.resolve({ ok: false, failure: tokenFailure("OAuthNotConnected") });
    }
    return deps.oauth.accessToken({
      profileId: config.profileId,
      homeAccountId: config.secret.homeAccountId,
      upn: account.upn,
      ewsUrl: config.settings.ewsUrl,
    });
  };
  const clientFor = (config: Config, accessToken: string): EwsClient =>
    deps.ews.client({
      profileId: config.profileId,
      ewsUrl: config.settings.ewsUrl,
      credentials: { kind: "oauth", accessToken },
    });
  const upnOf = (config: Config) => config.settings.account?.upn ?? "the service account";

  return {
    id: "ews-oauth-impersonation",
    label: "Microsoft 365 OAuth Logon (EWS API) - Impersonated logon",
    hint: "Hybrid or on-premises Exchange with modern authentication: connect a service account (Microsoft sign-in) that holds the ApplicationImpersonation role.",
    inputSchema: Input,

    async prepare(input, existing) {
      const ewsUrl = input.ewsUrl ?? EXCHANGE_ONLINE_EWS;
      const warnings = await checkEwsUrl(ewsUrl, deps.ews.transport.policy);
      const online = exchangeOnlineWarning(ewsUrl);
      if (online) warnings.push(online.replace("Basic authentication (off since October 2022) or ", ""));
      const account: ConnectedAccount | null = existing?.account ?? null;
      if (
        account &&
        existing?.tokenCache &&
        existing.account &&
        !existing.tokenCache.toLowerCase().includes(ewsResource(ewsUrl))
      ) {
        warnings.push(
          `The EWS host changed: choose Reconnect so ${account.upn} signs in for ${ewsResource(ewsUrl)}.`,
        );
      }
      return { settings: { ewsUrl, account }, secret: existing ?? null, warnings };
    },

    // The token cache was signed in for the EWS host (its scope names it): another host needs Connect account again.
    secretBinding(settings) {
      return {
        parts: { ews: originOf(settings.ewsUrl) },
        where: hostOf(settings.ewsUrl),
        field: "ewsUrl",
        secretName: "connected account",
        onChange: "drop",
      };
    },

    suppliesSecret: () => false,

    present(settings, secret) {
      const account = settings.account;
      return {
        ewsUrl: settings.ewsUrl,
        connectedAccount: account
          ? {
              upn: account.upn,
              tenantId: account.tenantId,
              objectId: account.objectId,
              connectedAt: account.connectedAt,
              lastRefreshAt: account.lastRefreshAt,
            }
          : null,
        warnings:
          account && secret?.tokenCache
            ? []
            : [
                "No service account is connected yet: choose Connect account and sign in as the service account.",
              ],
      };
    },

    async test(config, targets, signal) {
      const steps: ConnectivityStep[] = [];
      try {
        checkUrl(config.settings.ewsUrl, deps.ews.transport.policy);
        steps.push({
          name: "Resolve EWS URL",
          status: "passed",
          ms: 0,
          detail: `Using the configured EWS URL ${config.settings.ewsUrl}`,
        });
      } catch (error) {
        const e = error as UrlPolicyError;
        steps.push({
          name: "Resolve EWS URL",
          status: "failed",
          ms: 0,
          detail: e.message,
          code: e.code,
          remediation: "Fix the EWS URL in the mailbox access settings.",
        });
        return steps;
      }
      // The library first: its first load can take seconds on a busy machine, and the token must not age
      // while it loads (a test IdP's 10 s token expired that way between this step and the next).
      await loadEws();
      const started = performance.now();
      const got = await token(config);
      const ms = Math.round(performance.now() - started);
      if (!got.ok) {
        steps.push({
          name: "Get a token for the service account",
          status: "failed",
          ms,
          detail: `${got.failure.message}${got.failure.raw ? `\n${got.failure.raw}` : ""}`,
          remediation: got.failure.remediation,
          code: got.failure.code,
        });
        for (const n of [
          "Authenticate",
          "Service account mailbox",
          "Impersonate user",
          "Room lists and rooms",
        ]) {
          steps.push({ name: n, status: "skipped", ms: 0, detail: "Skipped: no token." });
        }
        return steps;
      }
      steps.push({
        name: "Get a token for the service account",
        status: "passed",
        ms,
        detail: `Token for ${upnOf(config)} (resource ${ewsResource(config.settings.ewsUrl)}), valid until ${new Date(got.expiresAt).toISOString()}.`,
      });
      const ews = await ewsImpersonationSteps(clientFor(config, got.accessToken), targets, signal);
      return [
        ...steps,
        ...ews.map((s) => {
          if (s.code !== "TokenInvalid") return s;
          const f = tokenFailure("OAuthEwsRefusedToken", upnOf(config), s.detail);
          return { ...s, code: f.code, detail: `${f.message}\n${s.detail}`, remediation: f.remediation };
        }),
      ];
    },

    async ewsEndpoint(config) {
      const got = await token(config);
      return got.ok
        ? { ok: true as const, url: config.settings.ewsUrl, authorization: `Bearer ${got.accessToken}` }
        : { ok: false as const, failure: got.failure };
    },

    async check(config, address, signal) {
      await loadEws(); // before the token, as in test()
      const got = await token(config);
      if (!got.ok) return { ok: false, ms: 0, error: got.failure, mailboxKind: null };
      const r = await clientFor(config, got.accessToken).check(address, signal);
      return r.ok
        ? { ok: true, ms: r.ms, mailboxKind: r.mailboxKind }
        : {
            ok: false,
            ms: r.ms,
            error: r.failure ? explainEwsFailure(r.failure, upnOf(config)) : r.failure,
            mailboxKind: null,
          };
    },
  };
}

/** Codes whose remediation is Reconnect (the panel may offer the button next to them). */
export const RECONNECT_CODES = new Set(Object.keys(TOKEN_FAILURES));
