import type { AppTokenOutcome } from "./app-only-token";
import type { AccessFailure, ConnectivityStep, ConnectivityTargets } from "./types";

/** What an app-only type's connectivity test needs from its protocol (EWS or Graph), given a token. */
export interface AppOnlyProbe {
  /** "Exchange (EWS)" or "Microsoft Graph". */
  serviceName: string;
  serviceUrl: string;
  /** Reaches the service with the token (no mailbox named, or the target as anchor). */
  reach(anchor: string | undefined): Promise<ProbeOutcome<string>>;
  /** Reads the mailbox as the sync will (Inbox and Calendar; Graph adds mailbox settings). */
  readMailbox(address: string): Promise<ProbeOutcome<string>>;
  /** Rooms the app can see (EWS: room lists via the anchor mailbox; Graph: /places). */
  rooms(anchor: string | undefined): Promise<ProbeOutcome<string>>;
  /** Codes meaning "refused: outside the app's scope". */
  refusedCodes: ReadonlySet<string>;
  /** Remediation when the target is refused: assign a role covering the user. */
  notCoveredRemediation(address: string): string;
  /** Remediation when the out-of-scope user is readable (tenant-wide consent). */
  tooWideRemediation: string;
  /**
   * The code a read fails with when the service may be blocked for the app as a whole (EWS: 403 with a
   * valid token, "EwsBlockSuspected"), and what to check then.
   */
  suspectedBlock?: { code: string; remediation: string };
}

/** RBAC for Applications changes take up to 2 hours to apply. */
export const RBAC_SETTLE_MS = 2 * 60 * 60_000;
/** EWS allow-list (EwsAllowedAppIDs, EwsEnabled) changes take up to 24 hours to apply. */
export const ALLOW_LIST_SETTLE_MS = 24 * 60 * 60_000;

/** `HH:MM` in UTC. */
export const utcTime = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

/**
 * When a change made at `changedAt` may still be applying (`settleMs` after it), the sentence that says
 * so and when to try again; else undefined.
 * @example stillApplying(Date.now() - 60_000, RBAC_SETTLE_MS, "Role assignments") // "May still be applying: ..."
 */
export function stillApplying(
  changedAt: number | undefined,
  settleMs: number,
  what: string,
  now = Date.now(),
): string | undefined {
  if (!changedAt || now >= changedAt + settleMs) return undefined;
  const hours = settleMs / 3_600_000;
  return `May still be applying: ${what} take up to ${hours} hours (changed at ${utcTime(changedAt)}); try again at ${utcTime(changedAt + settleMs)}.`;
}

export type ProbeOutcome<T> =
  { ok: true; value: T; ms: number } | { ok: false; failure: AccessFailure; ms: number };

/** Application permissions that open every mailbox of the tenant when consented (not RBAC-scoped). */
const MAILBOX_WIDE_ROLES =
  /^(full_access_as_app|Mail\.|Calendars\.|MailboxSettings\.|Contacts\.|Tasks\.|EWS\.)/i;

/** The mailbox-wide roles in a token's `roles` claim. */
export function mailboxWideRoles(roles: string[]): string[] {
  return roles.filter((r) => MAILBOX_WIDE_ROLES.test(r));
}

const failureDetail = (f: AccessFailure) => `${f.message}${f.raw ? `\n${f.raw}` : ""}`;

/**
 * The app-only connectivity test: token → its `roles` (empty = RBAC for Applications, mailbox-wide
 * roles = tenant-wide consent: a loud warning) → service reachable → target readable (403 = no role
 * assignment covers them) → out-of-scope user refused (warn loudly if not) → rooms.
 */
export async function appOnlySteps(
  token: () => Promise<AppTokenOutcome>,
  probeFor: (accessToken: string) => AppOnlyProbe,
  targets: ConnectivityTargets,
  identity: { clientId: string; tenantId: string; scope: string },
): Promise<ConnectivityStep[]> {
  const steps: ConnectivityStep[] = [];
  const skipRest = (why: string, names: string[]) =>
    names.forEach((name) => steps.push({ name, status: "skipped", ms: 0, detail: why }));
  const started = performance.now();
  const got = await token();
  const ms = Math.round(performance.now() - started);
  if (!got.ok) {
    steps.push({
      name: "Get an app-only token",
      status: "failed",
      ms,
      detail: failureDetail(got.failure),
      remediation: got.failure.remediation,
      code: got.failure.code,
    });
    skipRest("Skipped: no token.", [
      "Token roles (scoping)",
      "Service reachable",
      "Read the target mailbox",
      "Out-of-scope user refused",
      "Rooms",
    ]);
    return steps;
  }
  steps.push({
    name: "Get an app-only token",
    status: "passed",
    ms,
    detail: `Token for app ${identity.clientId} in tenant ${identity.tenantId}, scope ${identity.scope}, valid until ${new Date(got.expiresAt).toISOString()}.${got.servicePrincipalId ? ` Service principal object id (oid): ${got.servicePrincipalId}.` : ""}`,
  });

  const wide = mailboxWideRoles(got.roles);
  if (wide.length > 0) {
    steps.push({
      name: "Token roles (scoping)",
      status: "warning",
      ms: 0,
      code: "TenantWideConsent",
      detail: `TENANT-WIDE ACCESS: the token carries the application permission(s) ${wide.join(", ")}, consented for the whole tenant. This app can read EVERY mailbox, whatever RBAC for Applications scopes say.`,
      remediation:
        `Remove the admin consent for ${wide.join(", ")}: Entra admin center > Enterprise applications > the app > Permissions (or App registrations > API permissions > Remove permission), then scope the app with RBAC for Applications (the PowerShell on this panel). ` +
        "RBAC grants are checked inside Exchange and never appear in the token: the right setup gives an empty roles claim.",
    });
  } else {
    steps.push({
      name: "Token roles (scoping)",
      status: "passed",
      ms: 0,
      detail: got.roles.length
        ? `No mailbox permission in the token (roles: ${got.roles.join(", ")}): mailbox access comes from RBAC for Applications, checked inside Exchange.`
        : "The token's roles claim is empty: mailbox access comes only from RBAC for Applications role assignments, checked inside Exchange (the scoped setup).",
    });
  }

  const probe = probeFor(got.accessToken);
  /** The mailboxes read, and how each answered (for the suspected-block step). */
  const tried: { address: string; code: string | undefined }[] = [];
  const reach = await probe.reach(targets.targetUser);
  if (!reach.ok) {
    steps.push({
      name: `${probe.serviceName} reachable`,
      status: "failed",
      ms: reach.ms,
      detail: failureDetail(reach.failure),
      remediation: reach.failure.remediation,
      code: reach.failure.code,
    });
    skipRest(`Skipped: ${probe.serviceName} is not reachable with the token.`, [
      "Read the target mailbox",
      "Out-of-scope user refused",
      "Rooms",
    ]);
    return steps;
  }
  steps.push({ name: `${probe.serviceName} reachable`, status: "passed", ms: reach.ms, detail: reach.value });

  if (!targets.targetUser) {
    steps.push({
      name: "Read the target mailbox",
      status: "skipped",
      ms: 0,
      detail: "Skipped: no user to read (add a user to the profile or name one).",
    });
  } else {
    const read = await probe.readMailbox(targets.targetUser);
    tried.push({ address: targets.targetUser, code: read.ok ? undefined : read.failure.code });
    if (read.ok) {
      steps.push({
        name: `Read ${targets.targetUser}'s mailbox`,
        status: "passed",
        ms: read.ms,
        detail: read.value,
      });
    } else {
      const refused = probe.refusedCodes.has(read.failure.code);
      const applying = refused
        ? stillApplying(targets.changedAt, RBAC_SETTLE_MS, "role assignments")
        : undefined;
      const detail = refused
        ? `Refused (${read.failure.code}): no role assignment of the app covers ${targets.targetUser}.\n${read.failure.raw ?? ""}`.trim()
        : failureDetail(read.failure);
      steps.push({
        name: `Read ${targets.targetUser}'s mailbox`,
        status: applying ? "warning" : "failed",
        ms: read.ms,
        code: read.failure.code,
        detail: applying ? `${applying}\n${detail}` : detail,
        remediation: refused ? probe.notCoveredRemediation(targets.targetUser) : read.failure.remediation,
      });
    }
  }

  if (targets.outOfScopeUser) {
    const name = `Out-of-scope user ${targets.outOfScopeUser} refused`;
    const out = await probe.readMailbox(targets.outOfScopeUser);
    tried.push({ address: targets.outOfScopeUser, code: out.ok ? undefined : out.failure.code });
    if (out.ok) {
      steps.push({
        name,
        status: "warning",
        ms: out.ms,
        code: "OutOfScopeReachable",
        detail: `TOO WIDE: the app could read ${targets.outOfScopeUser}, which should be outside its scope. It can probably read every mailbox of the tenant.`,
        remediation: probe.tooWideRemediation,
      });
    } else if (probe.refusedCodes.has(out.failure.code)) {
      steps.push({
        name,
        status: "passed",
        ms: out.ms,
        detail: `Refused as expected (${out.failure.code}).`,
      });
    } else {
      steps.push({
        name,
        status: "warning",
        ms: out.ms,
        code: out.failure.code,
        detail: `Could not tell: ${out.failure.message}`,
        remediation: out.failure.remediation,
      });
    }
  }

  const block = probe.suspectedBlock;
  if (block && tried.length > 0 && tried.every((t) => t.code === block.code)) {
    // No documented signal says "EWS is blocked for this app": a 403 for every mailbox while the token
    // is valid is the sign. Soon after an allow-list change it may still be applying.
    const applying = stillApplying(targets.changedAt, ALLOW_LIST_SETTLE_MS, "EWS allow-list changes");
    const detail = `Suspected EWS block: every mailbox tried (${tried.map((t) => t.address).join(", ")}) answered HTTP 403 while the token is valid. EWS is probably turned off for the organization (EwsEnabled) or this app is not in its EWS allow list (EwsAllowedAppIDs); Exchange sends no signal that tells it apart from other refusals.`;
    steps.push({
      name: `${probe.serviceName} allowed for the app`,
      status: applying ? "warning" : "failed",
      ms: 0,
      code: block.code,
      detail: applying ? `${applying}\n${detail}` : detail,
      remediation: block.remediation,
    });
  }

  const rooms = await probe.rooms(targets.targetUser);
  steps.push(
    rooms.ok
      ? { name: "Rooms", status: "passed", ms: rooms.ms, detail: rooms.value }
      : {
          name: "Rooms",
          status: "warning",
          ms: rooms.ms,
          code: rooms.failure.code,
          detail: failureDetail(rooms.failure),
          remediation: rooms.failure.remediation,
        },
  );
  return steps;
}
