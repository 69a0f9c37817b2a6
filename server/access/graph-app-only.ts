import { z } from "zod";
import { GraphClient } from "../graph/client";
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
import { appOnlySteps } from "./app-only-steps";
import { appOnlyScope, appOnlyTokensFor, type AppTokenOutcome } from "./app-only-token";
import type { AccessDeps } from "./deps";
import type { AccessConfig, MailboxAccessType } from "./types";

const Input = z.object(AppIdentityInput).strict();
type Input = z.infer<typeof Input>;
type Config = AccessConfig<AppIdentitySettings, AppIdentitySecret>;

/** Graph answers 403 ErrorAccessDenied outside the app's RBAC scope. */
const REFUSED = new Set(["ErrorAccessDenied", "Authorization_RequestDenied", "AccessDenied"]);
const ROOM_CACHE_MS = 5 * 60_000;

/** The Graph application permissions the type uses (granted by RBAC for Applications, except Place.Read.All). */
export const GRAPH_PERMISSIONS = [
  "Mail.ReadWrite",
  "Calendars.ReadWrite",
  "MailboxSettings.Read",
  "Place.Read.All",
] as const;

/**
 * Type 4: "Microsoft 365 app-only (Graph API)". The same kind of Entra app gets a token for
 * `https://<Graph host>/.default`; a check reads the user's mailbox settings, Inbox and default calendar;
 * rooms come from /places/microsoft.graph.room. 429 Retry-After is honoured per profile like EWS's
 * BackOffMilliseconds (the shared back-off gate). GRAPH_BASE_URL sets the endpoint.
 */
export function graphAppOnly(
  deps: AccessDeps,
): MailboxAccessType<AppIdentitySettings, AppIdentitySecret, Input> {
  const tokens = appOnlyTokensFor(deps);
  const baseUrl = deps.appOnly?.graphBaseUrl ?? "https://graph.microsoft.com/v1.0";
  const graphOrigin = new URL(baseUrl).origin;
  const scope = appOnlyScope(baseUrl);
  const rooms = new Map<string, { at: number; promise: Promise<Set<string>> }>();
  const token = (config: Config): Promise<AppTokenOutcome> =>
    tokens.token(config.profileId, config.settings, config.secret, scope);
  const graphFor = (config: Config, accessToken: string) =>
    new GraphClient({
      transport: deps.ews.transport,
      gate: deps.ews.gate,
      profileId: config.profileId,
      baseUrl,
      accessToken,
      clientId: config.settings.clientId,
    });

  return {
    id: "graph-app-only",
    label: "Microsoft 365 app-only (Graph API)",
    hint: "Exchange Online (recommended): an Entra app (certificate) with Graph application permissions scoped by RBAC for Applications.",
    inputSchema: Input,

    prepare(input, existing) {
      const identity = prepareIdentity(input, existing);
      return Promise.resolve({
        settings: identity.settings,
        secret: identity.secret,
        warnings: credentialWarnings(identity.settings),
      });
    },

    secretBinding: (settings) => identityBinding(settings, baseUrl),
    suppliesSecret: suppliesIdentitySecret,

    present(settings, secret) {
      return {
        ...presentIdentity(settings, secret),
        graphBaseUrl: baseUrl,
        permissions: [...GRAPH_PERMISSIONS],
        warnings: credentialWarnings(settings),
        setupScript: appOnlyPowerShell({
          api: "graph",
          tenantId: settings.tenantId,
          clientId: settings.clientId,
          servicePrincipalObjectId: settings.servicePrincipalObjectId,
          scopeGroup: settings.scopeGroup,
        }),
      };
    },

    async test(config, targets) {
      try {
        checkUrl(baseUrl, deps.ews.transport.policy);
      } catch (error) {
        const e = error as UrlPolicyError;
        return [
          {
            name: "Microsoft Graph URL",
            status: "failed",
            ms: 0,
            detail: e.message,
            code: e.code,
            remediation:
              "Fix GRAPH_BASE_URL (https://graph.microsoft.com/v1.0) in the server's configuration.",
          },
        ];
      }
      const { clientId, tenantId } = config.settings;
      return appOnlySteps(
        () => token(config),
        (accessToken) => {
          const graph = graphFor(config, accessToken);
          return {
            serviceName: "Microsoft Graph",
            serviceUrl: baseUrl,
            refusedCodes: REFUSED,
            notCoveredRemediation: (address) =>
              `Make ${address} a member of the group behind the app's management scope, or add scoped role assignments (Exchange Online PowerShell):\n` +
              `Test-ServicePrincipalAuthorization -Identity "${clientId}" -Resource "${address}" | Format-Table RoleName,InScope\n` +
              `New-ManagementRoleAssignment -App "${clientId}" -Role "Application Mail.ReadWrite" -CustomResourceScope "Mailbox Sync Admin scope"\n` +
              "(also Application Calendars.ReadWrite and Application MailboxSettings.Read). Assignments take up to 2 hours to apply.",
            tooWideRemediation:
              "Remove the tenant-wide admin consent of Mail.*, Calendars.* and MailboxSettings.* (Entra admin center > Enterprise applications > the app > Permissions) and grant the matching RBAC for Applications roles with a management scope instead (the PowerShell on this panel).",
            async reach(anchor) {
              // Any answer but 401, 5xx or a transport failure shows Graph is reachable and accepts the token.
              const r = anchor
                ? await graph.get(`/users/${encodeURIComponent(anchor)}/mailboxSettings`, anchor)
                : await graph.get("/places/microsoft.graph.room?$top=1");
              if (r.ok || (!r.failure.serviceAccountFailure && !r.failure.transient)) {
                return { ok: true, ms: r.ms, value: `Reached ${baseUrl}; the token was accepted.` };
              }
              return r;
            },
            async readMailbox(address) {
              const r = await graph.readMailbox(address);
              return r.ok
                ? {
                    ok: true,
                    ms: r.ms,
                    value: `Read ${address}'s mailbox settings${r.value.timeZone ? ` (time zone ${r.value.timeZone})` : ""}, Inbox and default calendar.`,
                  }
                : r;
            },
            async rooms() {
              const r = await graph.rooms();
              if (!r.ok) {
                return r.failure.code === "ErrorAccessDenied" ||
                  r.failure.code === "Authorization_RequestDenied"
                  ? {
                      ...r,
                      failure: {
                        ...r.failure,
                        message:
                          "The app can't list rooms: /places needs the Graph application permission Place.Read.All.",
                        remediation:
                          "Entra admin center > App registrations > the app > API permissions > Microsoft Graph > Application permissions > Place.Read.All > Grant admin consent. It reveals room names and addresses only, no mail.",
                      },
                    }
                  : r;
              }
              return {
                ok: true,
                ms: r.ms,
                value: r.value.length
                  ? `${r.value.length} room(s): ${r.value
                      .slice(0, 10)
                      .map((x) => x.emailAddress)
                      .join(", ")}${r.value.length > 10 ? ", ..." : ""}.`
                  : "No rooms are published; mailbox kinds can't tell rooms apart.",
              };
            },
          };
        },
        targets,
        { clientId, tenantId, scope },
      );
    },

    async graphEndpoint(config) {
      const got = await token(config);
      return got.ok
        ? { ok: true, origin: graphOrigin, authorization: `Bearer ${got.accessToken}` }
        : { ok: false, failure: got.failure };
    },

    async check(config, address, signal) {
      const got = await token(config);
      if (!got.ok) return { ok: false, ms: 0, error: got.failure, mailboxKind: null };
      const graph = graphFor(config, got.accessToken);
      const read = await graph.readMailbox(address, signal);
      if (!read.ok) return { ok: false, ms: read.ms, error: read.failure, mailboxKind: null };
      let cached = rooms.get(config.profileId);
      if (!cached || Date.now() - cached.at > ROOM_CACHE_MS) {
        const promise = graph
          .rooms(signal)
          .then((r) =>
            r.ok
              ? new Set(r.value.map((x) => x.emailAddress.toLowerCase()))
              : Promise.reject(new Error(r.failure.code)),
          );
        cached = { at: Date.now(), promise };
        promise.catch(() => undefined);
        rooms.set(config.profileId, cached);
      }
      const kind = await cached.promise.then(
        (set) => (set.has(address.toLowerCase()) ? ("room" as const) : ("user" as const)),
        () => null,
      );
      return { ok: true, ms: read.ms, mailboxKind: kind };
    },
  };
}
