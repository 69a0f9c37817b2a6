import { z } from "zod";
import { AccountLogon, EwsUrl } from "../../contract/mailbox-access";
import { badRequest } from "../errors";
import { autodiscover, credentialHostsFor } from "../ews/autodiscover";
import type { EwsClient } from "../ews/client";
import { checkUrl, isAllowedHost, UrlPolicyError } from "../ews/url-policy";
import type { AccessDeps } from "./deps";
import type { AccessConfig, ConnectivityStep, ConnectivityTargets, MailboxAccessType } from "./types";
import { ewsImpersonationSteps } from "./ews-steps";
import { checkEwsUrl } from "./ews-url";
import { hostOf, originOf } from "./secret-binding";

/** Stored, non-secret settings. */
export interface BasicSettings {
  accountLogon: string;
  ewsUrl: string;
}
/** Sealed settings. */
export interface BasicSecret {
  password: string;
}

const Input = z
  .object({ accountLogon: AccountLogon, password: z.string().min(1).max(256).optional(), ewsUrl: EwsUrl })
  .strict();
type Input = z.infer<typeof Input>;

/** Exchange Online hosts, where Basic auth and ApplicationImpersonation are gone. */
const EXCHANGE_ONLINE = /(^|\.)outlook\.office365\.com$|(^|\.)outlook\.office\.com$/i;

/** Warning for an impersonated type pointed at Exchange Online. */
export function exchangeOnlineWarning(ewsUrl: string): string | undefined {
  try {
    if (!EXCHANGE_ONLINE.test(new URL(ewsUrl).hostname)) return undefined;
  } catch {
    return undefined;
  }
  return "Exchange Online no longer allows Basic authentication (off since October 2022) or ApplicationImpersonation (removed February 2025). This type works only with on-premises or hybrid Exchange; for Exchange Online use an app-only type (EWS app-only or Microsoft Graph app-only) scoped with RBAC for Applications.";
}

/**
 * Type 1: "Microsoft Exchange basic authorization (EWS API) - Impersonated logon". A service account
 * with a password signs in with Basic and impersonates each user (on-premises and hybrid Exchange).
 */
export function ewsBasicImpersonation(
  deps: AccessDeps,
): MailboxAccessType<BasicSettings, BasicSecret, Input> {
  const clientFor = (config: AccessConfig<BasicSettings, BasicSecret>): EwsClient =>
    deps.ews.client({
      profileId: config.profileId,
      ewsUrl: config.settings.ewsUrl,
      credentials: {
        kind: "basic",
        logon: config.settings.accountLogon,
        password: config.secret?.password ?? "",
      },
    });

  return {
    id: "ews-basic-impersonation",
    label: "Microsoft Exchange basic authorization (EWS API) - Impersonated logon",
    hint: "On-premises or hybrid Exchange: a service account with a password and the ApplicationImpersonation role.",
    inputSchema: Input,

    async prepare(input, existing) {
      const password = input.password ?? existing?.password;
      if (!password) {
        throw badRequest("validation_failed", "password: enter the service account's password.", [
          { path: "password", message: "required the first time" },
        ]);
      }
      const warnings = await checkEwsUrl(input.ewsUrl, deps.ews.transport.policy);
      const online = exchangeOnlineWarning(input.ewsUrl);
      if (online) warnings.push(online);
      return {
        settings: { accountLogon: input.accountLogon, ewsUrl: input.ewsUrl },
        secret: { password },
        warnings,
      };
    },

    secretBinding(settings) {
      return {
        parts: { ews: originOf(settings.ewsUrl), logon: settings.accountLogon },
        where: `${hostOf(settings.ewsUrl)} as ${settings.accountLogon}`,
        field: "password",
        secretName: "password",
        onChange: "require",
      };
    },

    suppliesSecret: (input) => Boolean(input.password),

    present(settings, secret) {
      const online = exchangeOnlineWarning(settings.ewsUrl);
      return {
        accountLogon: settings.accountLogon,
        ewsUrl: settings.ewsUrl,
        passwordSet: Boolean(secret?.password),
        warnings: online ? [online] : [],
      };
    },

    async test(config, targets: ConnectivityTargets, signal) {
      const steps: ConnectivityStep[] = [];
      const started = performance.now();
      let ewsUrl = config.settings.ewsUrl;
      if (ewsUrl) {
        try {
          checkUrl(ewsUrl, deps.ews.transport.policy);
          const online = exchangeOnlineWarning(ewsUrl);
          steps.push({
            name: "Resolve EWS URL",
            status: online ? "warning" : "passed",
            ms: Math.round(performance.now() - started),
            detail: online ?? `Using the configured EWS URL ${ewsUrl}`,
            ...(online ? { code: "ExchangeOnlineBasic" } : {}),
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
      } else {
        // Only rows saved before the EWS URL was required get here.
        const mayReceive = credentialHostsFor(config.settings.accountLogon, undefined, (host) =>
          isAllowedHost(host, deps.ews.transport.policy),
        );
        const found = await autodiscover(config.settings.accountLogon, {
          transport: deps.ews.transport,
          credentials: {
            logon: config.settings.accountLogon,
            password: config.secret?.password ?? "",
            mayReceive,
          },
          signal,
          candidates: deps.autodiscoverCandidates,
        });
        steps.push(...found.steps);
        if (!found.ewsUrl) return steps;
        const host = hostOf(found.ewsUrl);
        if (!mayReceive(host)) {
          // The password was entered for the logon's domain, not for wherever autodiscover points.
          steps.push({
            name: "Resolve EWS URL",
            status: "failed",
            ms: 0,
            detail: `Autodiscover points to ${found.ewsUrl}; the stored password is not sent to ${host}, a host it wasn't entered for.`,
            code: "SecretNotBound",
            remediation: `Save ${found.ewsUrl} as the EWS URL in the mailbox access settings and enter the password again with it.`,
          });
          return steps;
        }
        ewsUrl = found.ewsUrl;
      }
      return [
        ...steps,
        ...(await ewsImpersonationSteps(
          clientFor({ ...config, settings: { ...config.settings, ewsUrl } }),
          targets,
          signal,
        )),
      ];
    },

    ewsEndpoint(config) {
      const basic = Buffer.from(
        `${config.settings.accountLogon}:${config.secret?.password ?? ""}`,
        "utf8",
      ).toString("base64");
      return Promise.resolve({
        ok: true as const,
        url: config.settings.ewsUrl,
        authorization: `Basic ${basic}`,
      });
    },

    async passwordExpiry(config, signal) {
      const r = await clientFor(config).passwordExpiration(signal);
      return r.ok ? { ok: true, expiresAt: r.value.expiresAt } : { ok: false, failure: r.failure };
    },

    async check(config, address, signal) {
      const r = await clientFor(config).check(address, signal);
      return r.ok
        ? { ok: true, ms: r.ms, mailboxKind: r.mailboxKind }
        : { ok: false, ms: r.ms, error: r.failure, mailboxKind: null };
    },
  };
}
