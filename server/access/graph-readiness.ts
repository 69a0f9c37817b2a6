import { GraphClient } from "../graph/client";
import type { AppIdentitySecret, AppIdentitySettings } from "./app-only-identity";
import { appOnlyScope, appOnlyTokensFor } from "./app-only-token";
import type { AccessDeps } from "./index";
import type { AccessFailure, CheckResult } from "./types";

/** One RBAC for Applications role and the Graph read that proves it covers a mailbox. */
export interface RoleProbe {
  role: string;
  /** Path under `/users/{address}`. */
  path: string;
  /** What the read shows, for messages. */
  what: string;
  /** Only needed when a key of the profile may write (send mail, create contacts). */
  writeOnly?: boolean;
}

/**
 * The roles a Graph sync uses, each with a read that only that role allows. `Mail.Send` can't be tried
 * without sending a message: it is granted with the others and listed as a limitation of the dry run.
 */
export const ROLE_PROBES: RoleProbe[] = [
  { role: "Application MailboxSettings.Read", path: "/mailboxSettings", what: "mailbox settings" },
  { role: "Application Mail.ReadWrite", path: "/mailFolders/inbox", what: "mail (the Inbox)" },
  { role: "Application Calendars.ReadWrite", path: "/calendar", what: "the default calendar" },
  {
    role: "Application Contacts.ReadWrite",
    path: "/contacts?$top=1&$select=id",
    what: "contacts",
    writeOnly: true,
  },
];

/** Roles granted without a read probe. */
const UNPROBED_WRITE_ROLES = ["Application Mail.Send"];

/**
 * The RBAC roles the profile's keys will use through Graph: read roles always, `Mail.Send` and
 * `Contacts.ReadWrite` when a key may write.
 * @example graphRolesFor(true) // [..., "Application Mail.Send", "Application Contacts.ReadWrite"]
 */
export function graphRolesFor(write: boolean): string[] {
  const read = ROLE_PROBES.filter((p) => !p.writeOnly).map((p) => p.role);
  return write
    ? [...read, ...UNPROBED_WRITE_ROLES, ...ROLE_PROBES.filter((p) => p.writeOnly).map((p) => p.role)]
    : read;
}

/** Graph's answer for a mailbox that lives on-premises (hybrid) or is inactive: documented as 404 with these codes. */
const ON_PREMISES_CODES = new Set(["MailboxNotEnabledForRESTAPI", "MailboxNotSupportedForRESTAPI"]);
const REFUSED_CODES = new Set(["ErrorAccessDenied", "Authorization_RequestDenied", "AccessDenied"]);

/** Whether a failure says the mailbox is not in Exchange Online (so it stays on EWS). */
export const isOnPremisesFailure = (code: string | undefined) =>
  code !== undefined && ON_PREMISES_CODES.has(code);
/** Whether a failure is Exchange refusing the app (RBAC scope or role missing). */
export const isRefusedFailure = (code: string | undefined) => code !== undefined && REFUSED_CODES.has(code);

/** The app identity being tried, sealed nowhere: opened for the duration of the dry run. */
export interface CandidateAccess {
  /** The profile (for the shared back-off gate) and the migration (for the token cache key). */
  profileId: string;
  migrationId: string;
  settings: AppIdentitySettings;
  secret: AppIdentitySecret | null;
  roles: string[];
}

/** The PowerShell that assigns one role in the management scope, and checks it. */
function assignRole(clientId: string, role: string, address: string): string {
  return (
    `New-ManagementRoleAssignment -App "${clientId}" -Role "${role}" -CustomResourceScope "Mailbox Sync Admin scope"\n` +
    `Test-ServicePrincipalAuthorization -Identity "${clientId}" -Resource "${address}" | Format-Table RoleName,InScope\n` +
    `If ${address} should be synced, make it a member of the group behind the scope. Role assignments take up to 2 hours to apply.`
  );
}

/**
 * Checks mailboxes through Microsoft Graph with an app identity that is not the profile's yet (the
 * Move to Graph dry run): one read per RBAC role the sync will use, and the out-of-scope probe.
 * @example const r = await graphReadiness(deps).check(candidate, "jane@contoso.com");
 */
export function graphReadiness(deps: AccessDeps) {
  const tokens = appOnlyTokensFor(deps);
  const baseUrl = deps.appOnly?.graphBaseUrl ?? "https://graph.microsoft.com/v1.0";
  const scope = appOnlyScope(baseUrl);

  const client = async (c: CandidateAccess) => {
    // The token cache is keyed by the migration: the profile's own (EWS) token stays as it is.
    const got = await tokens.token(`migration:${c.migrationId}`, c.settings, c.secret, scope);
    if (!got.ok) return { ok: false as const, failure: got.failure };
    return {
      ok: true as const,
      graph: new GraphClient({
        transport: deps.ews.transport,
        gate: deps.ews.gate,
        profileId: c.profileId,
        baseUrl,
        accessToken: got.accessToken,
        clientId: c.settings.clientId,
      }),
    };
  };

  return {
    baseUrl,

    /** Every role of the candidate tried on one mailbox; the first failure is the result. */
    async check(c: CandidateAccess, address: string, signal?: AbortSignal): Promise<CheckResult> {
      const got = await client(c);
      if (!got.ok) return { ok: false, ms: 0, error: got.failure };
      let ms = 0;
      const user = `/users/${encodeURIComponent(address)}`;
      for (const probe of ROLE_PROBES.filter((p) => c.roles.includes(p.role))) {
        const r = await got.graph.get(`${user}${probe.path}`, address, signal);
        ms += r.ms;
        if (r.ok) continue;
        return { ok: false, ms, error: explain(r.failure, probe, c.settings.clientId, address) };
      }
      return { ok: true, ms };
    },

    /** Reads a mailbox that must be outside the app's scope: refused is the pass. */
    async outOfScope(
      c: CandidateAccess,
      address: string,
    ): Promise<{ ok: true; refused: boolean; detail: string } | { ok: false; failure: AccessFailure }> {
      const got = await client(c);
      if (!got.ok) return { ok: false, failure: got.failure };
      const r = await got.graph.get(`/users/${encodeURIComponent(address)}/mailboxSettings`, address);
      if (r.ok) {
        return {
          ok: true,
          refused: false,
          detail: `TOO WIDE: the app could read ${address}, which should be outside its scope. Remove any tenant-wide consent of Mail.*, Calendars.* or MailboxSettings.* in Entra and grant the roles in the management scope only.`,
        };
      }
      if (r.failure.serviceAccountFailure) return { ok: false, failure: r.failure };
      if (isRefusedFailure(r.failure.code)) {
        return { ok: true, refused: true, detail: `Refused as expected (${r.failure.code}).` };
      }
      return {
        ok: true,
        refused: false,
        detail: `Could not tell (${r.failure.code}: ${r.failure.message}). Name a mailbox that exists in Exchange Online outside the scope.`,
      };
    },
  };
}

/** A Graph failure told per role (which role is missing, the PowerShell that grants it). */
function explain(failure: AccessFailure, probe: RoleProbe, clientId: string, address: string): AccessFailure {
  if (isOnPremisesFailure(failure.code)) {
    return {
      ...failure,
      message: `${address} is not in Exchange Online (${failure.code}): an on-premises mailbox of a hybrid organization, or an inactive one. It stays on EWS.`,
      remediation:
        "Split the profile: move the on-premises users to a profile that keeps EWS (Users tab > Move), then apply the move to Graph for the rest. Once a mailbox is migrated to Exchange Online, move it back.",
    };
  }
  if (isRefusedFailure(failure.code)) {
    return {
      ...failure,
      message: `Graph refused ${probe.what} of ${address} to app ${clientId}: no assignment of ${probe.role} covers this mailbox.`,
      remediation: assignRole(clientId, probe.role, address),
    };
  }
  return failure;
}
