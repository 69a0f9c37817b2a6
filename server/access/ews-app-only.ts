import { z } from "zod";
import { EwsUrl } from "../../contract/mailbox-access";
import { loadEws, type EwsAccount, type EwsClient } from "../ews/client";
import { checkUrl, UrlPolicyError } from "../ews/url-policy";
import {
  AppIdentityInput,
  credentialWarnings,
  identityBinding,
  prepareIdentity,
  suppliesIdentitySecret,
  presentIdentity,
  type AppIdentitySecret,
  type AppIdentitySettings,
} from "./app-only-identity";
import { appOnlyPowerShell } from "./app-only-powershell";
import { appOnlySteps, type ProbeOutcome } from "./app-only-steps";
import { appOnlyScope, appOnlyTokensFor, type AppTokenOutcome } from "./app-only-token";
import type { AccessDeps } from "./deps";
import type { AccessConfig, AccessFailure, MailboxAccessType } from "./types";
import { checkEwsUrl } from "./ews-url";

/** Exchange Online's EWS endpoint: the default (app-only tokens can't call autodiscover). */
export const EXCHANGE_ONLINE_EWS = "https://outlook.office365.com/EWS/Exchange.asmx";

export interface EwsAppOnlySettings extends AppIdentitySettings {
  ewsUrl: string;
}

const Input = z.object({ ...AppIdentityInput, ewsUrl: EwsUrl.optional() }).strict();
type Input = z.infer<typeof Input>;
type Config = AccessConfig<EwsAppOnlySettings, AppIdentitySecret>;

const REFUSED = new Set(["ErrorAccessDenied", "ErrorImpersonateUserDenied", "ErrorImpersonationDenied"]);
const ROOM_CACHE_MS = 5 * 60_000;

/** What to do when Exchange refuses a mailbox to the app: a scoped role assignment must cover it. */
function notCovered(clientId: string, address: string): string {
  return (
    `Make ${address} a member of the group behind the app's management scope, or add a role assignment that covers it (Exchange Online PowerShell):\n` +
    `Test-ServicePrincipalAuthorization -Identity "${clientId}" -Resource "${address}" | Format-Table RoleName,InScope\n` +
    `New-ManagementRoleAssignment -App "${clientId}" -Role "Application EWS.AccessAsApp" -CustomResourceScope "Mailbox Sync Admin scope"\n` +
    `Also check that EWS is allowed for the app: Get-OrganizationConfig | Format-List EwsEnabled,EwsAllowedAppIDs; Set-CASMailbox "${address}" -EwsEnabled $true. Assignments take up to 2 hours to apply.`
  );
}

/**
 * The check and the fix for EWS being blocked for the app: keep EWS on and append the app to the
 * tenant's allow list (never `-EwsApplicationAccessPolicy EnforceAllowList`, which filters by user agent).
 */
export function allowListCommands(clientId: string): string {
  return (
    "Get-OrganizationConfig | fl EwsEnabled,EwsAllowedAppIDs\n" +
    `$allowed = @((Get-OrganizationConfig).EwsAllowedAppIDs); if ($allowed -notcontains "${clientId}") { $allowed += "${clientId}" }\n` +
    "Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs $allowed\n" +
    "Allow-list changes take up to 24 hours to apply."
  );
}

/** EWS failures told in app-only terms (the impersonated types' remediation names a service account). */
function explain(failure: AccessFailure, settings: EwsAppOnlySettings, target?: string): AccessFailure {
  if (REFUSED.has(failure.code) && target) {
    return {
      ...failure,
      message: `Exchange refused app ${settings.clientId} access to ${target} (${failure.code}).`,
      remediation: notCovered(settings.clientId, target),
    };
  }
  if (failure.code === "Forbidden") {
    // 403 with a token Exchange accepted: no documented signal says "EWS blocked"; this is the sign of it.
    return {
      ...failure,
      code: "EwsBlockSuspected",
      message: `Exchange answered 403 Forbidden to app ${settings.clientId}${target ? ` for ${target}` : ""} while its token is valid: suspected EWS block (EwsEnabled off, or the app not in the tenant's EwsAllowedAppIDs), if every mailbox answers so.`,
      remediation: allowListCommands(settings.clientId),
    };
  }
  if (failure.code === "TokenInvalid" || failure.code === "Unauthorized") {
    return {
      ...failure,
      code: "AppTokenRefusedByExchange",
      message: `Exchange refused the app-only token of app ${settings.clientId} (HTTP 401).`,
      remediation:
        `Check that the tenant allows EWS for the app and that the EWS URL is Exchange Online's:\n` +
        `${allowListCommands(settings.clientId)}\n` +
        `and that a role assignment exists: Get-ManagementRoleAssignment -RoleAssignee "${settings.clientId}"`,
      serviceAccountFailure: true,
    };
  }
  return failure;
}

/**
 * Type 3: "Microsoft 365 app-only (EWS API)". An Entra app (certificate preferred, or secret) gets a token
 * by client credentials for `https://<EWS host>/.default`; every EWS call impersonates the mailbox and
 * names it in X-AnchorMailbox (EWS requires both with app-only tokens). Scoped with RBAC for Applications
 * (`Application EWS.AccessAsApp`); no autodiscover.
 */
export function ewsAppOnly(
  deps: AccessDeps,
): MailboxAccessType<EwsAppOnlySettings, AppIdentitySecret, Input> {
  const tokens = appOnlyTokensFor(deps);
  const rooms = new Map<string, { at: number; promise: Promise<Set<string>> }>();
  const token = (config: Config): Promise<AppTokenOutcome> =>
    tokens.token(config.profileId, config.settings, config.secret, appOnlyScope(config.settings.ewsUrl));
  const accountFor = (config: Config, accessToken: string): EwsAccount => ({
    profileId: config.profileId,
    ewsUrl: config.settings.ewsUrl,
    credentials: { kind: "oauth", accessToken },
  });
  const clientFor = (config: Config, accessToken: string): EwsClient =>
    deps.ews.client(accountFor(config, accessToken));

  /** Room lists and rooms through an impersonated mailbox: app-only EWS calls must name one. */
  const loadRooms = (
    config: Config,
    accessToken: string,
    anchor: string,
  ): Promise<ProbeOutcome<{ name: string; rooms: string[] }[]>> => {
    const client = clientFor(config, accessToken);
    return client.run(anchor, async () => {
      const { EmailAddress } = await loadEws();
      const service = deps.ews.service(client.account, anchor);
      const lists = await service.GetRoomLists();
      const out: { name: string; rooms: string[] }[] = [];
      for (const list of lists.GetEnumerator()) {
        const found = await service.GetRooms(new EmailAddress(list.Address));
        out.push({ name: list.Name, rooms: found.map((r) => r.Address.toLowerCase()) });
      }
      return out;
    });
  };

  return {
    id: "ews-app-only",
    label: "Microsoft 365 app-only (EWS API)",
    hint: "Exchange Online until April 1, 2027, if the tenant allow-lists the app for EWS: an Entra app (certificate) scoped with RBAC for Applications.",
    inputSchema: Input,

    async prepare(input, existing) {
      const ewsUrl = input.ewsUrl ?? EXCHANGE_ONLINE_EWS;
      const warnings = await checkEwsUrl(ewsUrl, deps.ews.transport.policy);
      const identity = prepareIdentity(input, existing);
      const settings: EwsAppOnlySettings = { ...identity.settings, ewsUrl };
      return { settings, secret: identity.secret, warnings: [...warnings, ...credentialWarnings(settings)] };
    },

    secretBinding: (settings) => identityBinding(settings, settings.ewsUrl),
    suppliesSecret: suppliesIdentitySecret,

    present(settings, secret) {
      return {
        ...presentIdentity(settings, secret),
        ewsUrl: settings.ewsUrl,
        warnings: [
          ...credentialWarnings(settings),
          "EWS in Exchange Online is blocked for apps not on the tenant's allow list (since October 2026) and shuts down on April 1, 2027: plan the move to the Graph app-only type.",
        ],
        setupScript: appOnlyPowerShell({
          api: "ews",
          tenantId: settings.tenantId,
          clientId: settings.clientId,
          servicePrincipalObjectId: settings.servicePrincipalObjectId,
          scopeGroup: settings.scopeGroup,
        }),
      };
    },

    async test(config, targets) {
      try {
        checkUrl(config.settings.ewsUrl, deps.ews.transport.policy);
      } catch (error) {
        const e = error as UrlPolicyError;
        return [
          {
            name: "Resolve EWS URL",
            status: "failed",
            ms: 0,
            detail: e.message,
            code: e.code,
            remediation: "Fix the EWS URL in the mailbox access settings.",
          },
        ];
      }
      const settings = config.settings;
      return appOnlySteps(
        () => token(config),
        (accessToken) => {
          const client = clientFor(config, accessToken);
          return {
            serviceName: "Exchange (EWS)",
            serviceUrl: settings.ewsUrl,
            refusedCodes: REFUSED,
            suspectedBlock: { code: "EwsBlockSuspected", remediation: allowListCommands(settings.clientId) },
            notCoveredRemediation: (address) => notCovered(settings.clientId, address),
            tooWideRemediation:
              `Remove the tenant-wide consent of full_access_as_app (Entra admin center > Enterprise applications > the app > Permissions) and scope the app instead:\n` +
              `New-ManagementRoleAssignment -App "${settings.clientId}" -Role "Application EWS.AccessAsApp" -CustomResourceScope "Mailbox Sync Admin scope"`,
            async reach() {
              const r = await client.authenticate();
              const noAutodiscover = "no autodiscover (apps scoped by RBAC for Applications can't call it)";
              if (r.ok) {
                return {
                  ok: true,
                  value: `Reached ${settings.ewsUrl} with the token (HTTP ${r.value.status}); ${noAutodiscover}.`,
                  ms: r.ms,
                };
              }
              // A GET is not a SOAP call: a 4xx other than 401/403/404 still shows EWS is there and took the token.
              if (r.failure.code === "HttpError") {
                return {
                  ok: true,
                  value: `Reached ${settings.ewsUrl}; it answered a plain GET with ${r.failure.raw?.split("\n")[0] ?? "an error"} (normal for EWS); ${noAutodiscover}.`,
                  ms: r.ms,
                };
              }
              return { ok: false, failure: explain(r.failure, settings), ms: r.ms };
            },
            async readMailbox(address) {
              const r = await client.bindInboxAndCalendar(address);
              return r.ok
                ? {
                    ok: true,
                    value: `Impersonated ${address} (ExchangeImpersonation and X-AnchorMailbox); bound Inbox and Calendar.`,
                    ms: r.ms,
                  }
                : { ok: false, failure: explain(r.failure, settings, address), ms: r.ms };
            },
            async rooms(anchor) {
              if (!anchor) {
                return {
                  ok: false,
                  ms: 0,
                  failure: {
                    code: "NoAnchorMailbox",
                    message:
                      "Room lists need a mailbox to act as (app-only EWS calls impersonate one): add a user to the profile.",
                    remediation: "Add a user to the profile, then run the test again.",
                    transient: false,
                  },
                };
              }
              const r = await loadRooms(config, accessToken, anchor);
              if (!r.ok) return { ok: false, failure: explain(r.failure, settings), ms: r.ms };
              const count = r.value.reduce((n, l) => n + l.rooms.length, 0);
              return {
                ok: true,
                ms: r.ms,
                value: r.value.length
                  ? `${r.value.length} room list(s) with ${count} room(s): ${r.value.map((l) => `${l.name} (${l.rooms.length})`).join(", ")}.`
                  : "No room lists are published; mailbox kinds can't tell rooms apart.",
              };
            },
          };
        },
        targets,
        { clientId: settings.clientId, tenantId: settings.tenantId, scope: appOnlyScope(settings.ewsUrl) },
      );
    },

    async ewsEndpoint(config) {
      // The gateway adds the impersonation header and X-AnchorMailbox, which app-only EWS requires.
      const got = await token(config);
      return got.ok
        ? { ok: true as const, url: config.settings.ewsUrl, authorization: `Bearer ${got.accessToken}` }
        : { ok: false as const, failure: got.failure };
    },

    async check(config, address, signal) {
      const got = await token(config);
      if (!got.ok) return { ok: false, ms: 0, error: got.failure, mailboxKind: null };
      const bound = await clientFor(config, got.accessToken).bindInboxAndCalendar(address, signal);
      if (!bound.ok) {
        return {
          ok: false,
          ms: bound.ms,
          error: explain(bound.failure, config.settings, address),
          mailboxKind: null,
        };
      }
      let cached = rooms.get(config.profileId);
      if (!cached || Date.now() - cached.at > ROOM_CACHE_MS) {
        const promise = loadRooms(config, got.accessToken, address).then((r) =>
          r.ok ? new Set(r.value.flatMap((l) => l.rooms)) : Promise.reject(new Error(r.failure.code)),
        );
        promise.catch(() => undefined);
        cached = { at: Date.now(), promise };
        rooms.set(config.profileId, cached);
      }
      const kind = await cached.promise.then(
        (set) => (set.has(address.toLowerCase()) ? ("room" as const) : ("user" as const)),
        () => null,
      );
      return { ok: true, ms: bound.ms, mailboxKind: kind };
    },
  };
}
