import type { EwsClient } from "../ews/client";
import type { ConnectivityStep, ConnectivityTargets } from "./types";

const OWN_MAILBOX_MISSING = new Set([
  "ErrorMissingEmailAddress",
  "ErrorNonExistentMailbox",
  "ErrorAccessDenied",
]);
const OUT_OF_SCOPE_REFUSED = new Set([
  "ErrorImpersonateUserDenied",
  "ErrorAccessDenied",
  "ErrorImpersonationDenied",
]);

/**
 * The EWS half of the "Service Account Access" test, shared by the impersonated types: authenticate →
 * the service account's own mailbox → impersonate the target (Inbox and Calendar) → room lists and rooms,
 * plus an optional out-of-scope user that must be refused.
 */
export async function ewsImpersonationSteps(
  client: EwsClient,
  targets: ConnectivityTargets,
  signal?: AbortSignal,
): Promise<ConnectivityStep[]> {
  const steps: ConnectivityStep[] = [];
  const skip = (name: string, why: string) => steps.push({ name, status: "skipped", ms: 0, detail: why });

  const auth = await client.authenticate(signal);
  if (!auth.ok) {
    steps.push({
      name: "Authenticate",
      status: "failed",
      ms: auth.ms,
      detail: `${auth.failure.message}\n${auth.failure.raw ?? ""}`.trim(),
      remediation: auth.failure.remediation,
      code: auth.failure.code,
    });
    for (const n of ["Service account mailbox", "Impersonate user", "Room lists and rooms"]) {
      skip(n, "Skipped: authentication failed.");
    }
    return steps;
  }
  steps.push({
    name: "Authenticate",
    status: "passed",
    ms: auth.ms,
    detail: `Signed in to ${client.account.ewsUrl} (HTTP ${auth.value.status}).`,
  });

  const own = await client.ownMailbox(signal);
  let hasMailbox = own.ok;
  if (own.ok) {
    steps.push({
      name: "Service account mailbox",
      status: "passed",
      ms: own.ms,
      detail: "The service account's own Inbox opened.",
    });
  } else if (OWN_MAILBOX_MISSING.has(own.failure.code)) {
    steps.push({
      name: "Service account mailbox",
      status: "warning",
      ms: own.ms,
      detail: `The service account has no mailbox or no Exchange license (${own.failure.code}). Impersonation still works, but rooms, resources and room lists can't be read through EWS without one.`,
      remediation:
        own.failure.code === "ErrorMissingEmailAddress"
          ? own.failure.remediation
          : `Give the service account a mailbox (Enable-Mailbox) or an Exchange license. ${own.failure.remediation}`,
      code: own.failure.code,
    });
  } else {
    hasMailbox = false;
    steps.push({
      name: "Service account mailbox",
      status: own.failure.transient ? "warning" : "failed",
      ms: own.ms,
      detail: `${own.failure.message}\n${own.failure.raw ?? ""}`.trim(),
      remediation: own.failure.remediation,
      code: own.failure.code,
    });
  }

  if (!targets.targetUser) {
    skip("Impersonate user", "Skipped: no user to impersonate (add a user to the profile or name one).");
  } else {
    const bound = await client.bindInboxAndCalendar(targets.targetUser, signal);
    steps.push(
      bound.ok
        ? {
            name: `Impersonate ${targets.targetUser}`,
            status: "passed",
            ms: bound.ms,
            detail: `Impersonated ${targets.targetUser}; bound Inbox and Calendar.`,
          }
        : {
            name: `Impersonate ${targets.targetUser}`,
            status: "failed",
            ms: bound.ms,
            detail: `${bound.failure.message}\n${bound.failure.raw ?? ""}`.trim(),
            remediation: bound.failure.remediation,
            code: bound.failure.code,
          },
    );
  }

  if (targets.outOfScopeUser) {
    const out = await client.bindInboxAndCalendar(targets.outOfScopeUser, signal);
    const name = `Out-of-scope user ${targets.outOfScopeUser} refused`;
    if (out.ok) {
      steps.push({
        name,
        status: "warning",
        ms: out.ms,
        detail: `The service account could open ${targets.outOfScopeUser}, which should be outside its scope.`,
        remediation:
          "Narrow the management scope of the ApplicationImpersonation assignment (New-ManagementScope -RecipientRestrictionFilter ...).",
        code: "OutOfScopeReachable",
      });
    } else if (OUT_OF_SCOPE_REFUSED.has(out.failure.code)) {
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
        detail: `Could not tell: ${out.failure.message}`,
        remediation: out.failure.remediation,
        code: out.failure.code,
      });
    }
  }

  const rooms = await client.loadRooms(signal);
  if (rooms.ok) {
    const count = rooms.value.reduce((n, l) => n + l.rooms.length, 0);
    steps.push({
      name: "Room lists and rooms",
      status: "passed",
      ms: rooms.ms,
      detail: rooms.value.length
        ? `${rooms.value.length} room list(s) with ${count} room(s): ${rooms.value.map((l) => `${l.name} (${l.rooms.length})`).join(", ")}.`
        : "No room lists are published; mailbox kinds can't tell rooms apart.",
    });
  } else {
    steps.push({
      name: "Room lists and rooms",
      status: "warning",
      ms: rooms.ms,
      detail: `${hasMailbox ? "" : "The service account has no mailbox: "}${rooms.failure.message}`,
      remediation: rooms.failure.remediation,
      code: rooms.failure.code,
    });
  }
  return steps;
}
