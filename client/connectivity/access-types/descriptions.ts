import type { AccessType } from "../../../contract/common";

/**
 * What the panel says about one Mailbox Access Type, mirroring its module in server/access. Data
 * only (no React, no zod): the status page reads it too.
 */
export interface AccessTypeDescription<T extends AccessType = AccessType> {
  id: T;
  /** The picklist label, exactly as the setup guide names it (the server's module has the same). */
  label: string;
  /** The picklist hint, one line: which Exchange it fits. */
  hint: string;
  /** A short name for lists (profiles, the profile's header and General tab). */
  shortLabel: string;
  /** How the sync service reaches the mailbox, in words an end user can read (status page). */
  statusText: string;
  /** The API the type talks to: EWS types can move to Graph. */
  api: "ews" | "graph";
  /** The setup guide's "which Exchange" line ("Which access type fits my Exchange?"). */
  fits: string;
  /** Who reaches the mailboxes, as the connectivity captions name it ("the service account", "the app"). */
  identity: string;
  /** How the profile reaches its users' mailboxes, one phrase (the Email configuration card's caption). */
  reachedBy: string;
  /** What the connectivity test does, one sentence. */
  testCaption: string;
}

/**
 * Every Mailbox Access Type, in picklist order (server/access/index.ts's order). A type added to
 * contract/common.ts without an entry here fails the type-check.
 */
export const ACCESS_TYPE_DESCRIPTIONS = {
  "ews-basic-impersonation": {
    id: "ews-basic-impersonation",
    label: "Microsoft Exchange basic authorization (EWS API) - Impersonated logon",
    hint: "For on-premises or hybrid Exchange with Basic authentication on EWS. Exchange Online: use an app-only type.",
    shortLabel: "EWS basic, impersonated",
    statusText: "Exchange (EWS), service account with impersonation",
    api: "ews",
    fits: "On-premises or hybrid Exchange with Basic authentication on EWS",
    identity: "the service account",
    reachedBy: "a service account (logon and password) that impersonates each user",
    testCaption:
      "Signs in as the service account and impersonates a user, step by step, like Microsoft's Remote Connectivity Analyzer.",
  },
  "ews-oauth-impersonation": {
    id: "ews-oauth-impersonation",
    label: "Microsoft 365 OAuth Logon (EWS API) - Impersonated logon",
    hint: "For on-premises or hybrid Exchange with modern authentication (OAuth). Exchange Online: use an app-only type.",
    shortLabel: "EWS OAuth, impersonated",
    statusText: "Exchange (EWS), connected service account with impersonation",
    api: "ews",
    fits: "On-premises or hybrid Exchange with modern authentication (OAuth)",
    identity: "the service account",
    reachedBy: "a connected service account (Microsoft sign-in) that impersonates each user",
    testCaption:
      "Signs in as the service account and impersonates a user, step by step, like Microsoft's Remote Connectivity Analyzer.",
  },
  "ews-app-only": {
    id: "ews-app-only",
    label: "Microsoft 365 app-only (EWS API)",
    hint: "Exchange Online until April 1, 2027, if the tenant allow-lists the app for EWS: an Entra app (certificate) scoped with RBAC for Applications.",
    shortLabel: "EWS app-only",
    statusText: "Exchange (EWS), app-only access",
    api: "ews",
    fits: "Exchange Online, if the tenant allow-lists the app for EWS (until April 1, 2027, when EWS shuts down)",
    identity: "the app",
    reachedBy: "an Entra app with EWS application access, scoped by RBAC for Applications",
    testCaption:
      "Gets the app's token and opens a user's mailbox with it, step by step, like Microsoft's Remote Connectivity Analyzer.",
  },
  "graph-app-only": {
    id: "graph-app-only",
    label: "Microsoft 365 app-only (Graph API)",
    hint: "Exchange Online (recommended): an Entra app (certificate) with Graph application permissions scoped by RBAC for Applications.",
    shortLabel: "Graph app-only",
    statusText: "Microsoft Graph, app-only access",
    api: "graph",
    fits: "Exchange Online",
    identity: "the app",
    reachedBy: "an Entra app with Graph application permissions, scoped by RBAC for Applications",
    testCaption:
      "Gets the app's token and opens a user's mailbox with it, step by step, like Microsoft's Remote Connectivity Analyzer.",
  },
} as const satisfies { readonly [T in AccessType]: AccessTypeDescription<T> };

/** The description of a type id. */
export const describeAccessType = (id: AccessType): AccessTypeDescription => ACCESS_TYPE_DESCRIPTIONS[id];

/**
 * Who reaches the mailboxes and how, for a profile's stored (or chosen) type; before any type is saved,
 * the impersonating service account and the app in one breath.
 * @example accessIdentity("graph-app-only").identity // "the app"
 */
export function accessIdentity(
  id: AccessType | null | undefined,
): Pick<AccessTypeDescription, "identity" | "reachedBy" | "testCaption"> {
  if (id) return ACCESS_TYPE_DESCRIPTIONS[id];
  return {
    identity: "the service account or app",
    reachedBy: "a service account that impersonates each user, or an Entra app with application permissions",
    testCaption:
      "Signs in as the profile's service account or app and reaches a user's mailbox, step by step, like Microsoft's Remote Connectivity Analyzer.",
  };
}

/** True when the type talks to EWS (such a profile can move to Graph). */
export const isEwsAccessType = (id: AccessType): boolean => ACCESS_TYPE_DESCRIPTIONS[id].api === "ews";

/**
 * The order of "Which access type fits my Exchange?": the order an admin asks the question, which is
 * not the picklist's (Graph, recommended, before EWS app-only).
 */
export const GUIDE_ORDER = [
  "ews-basic-impersonation",
  "ews-oauth-impersonation",
  "graph-app-only",
  "ews-app-only",
] as const satisfies readonly AccessType[];

/** One Mailbox Access Type as the dropdown offers it. */
export interface AccessTypeOption {
  id: AccessType;
  label: string;
  hint: string;
}

/** The built-in picklist: every type, in registry order. */
export const ACCESS_TYPE_OPTIONS: readonly AccessTypeOption[] = Object.values(ACCESS_TYPE_DESCRIPTIONS).map(
  ({ id, label, hint }) => ({ id, label, hint }),
);

/**
 * The picklist: the server's list when it answered (it offers what this build implements), else the
 * built-in one. Labels and hints from the server win.
 */
export function accessTypeOptions(
  fromServer: ReadonlyArray<{ id: string; label: string; hint: string }> | undefined,
): AccessTypeOption[] {
  if (!fromServer || fromServer.length === 0) return [...ACCESS_TYPE_OPTIONS];
  return fromServer.map((t) => ({ id: t.id as AccessType, label: t.label, hint: t.hint }));
}
