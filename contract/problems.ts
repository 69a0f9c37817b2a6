import { z } from "zod";
import { Id, UserState } from "./common";

/**
 * Why mailboxes fail, one cause per failing user (server/domain/failure-cause.ts classifies what a check or
 * the sync service's report stored). The Problems view groups by these.
 */
export const failureCauses = [
  "impersonation-scope",
  "app-scope",
  "mailbox-alias",
  "mailbox-missing",
  "mailbox-moving",
  "throttled",
  "credentials-password",
  "credentials-secret",
  "credentials-certificate",
  "credentials-consent",
  "mfa-conditional-access",
  "ews-blocked",
  "network-tls",
  "sync-service",
  "other",
] as const;
export const FailureCause = z.enum(failureCauses);
export type FailureCause = z.infer<typeof FailureCause>;

/** Short titles of the causes, as the panel shows them (the user list's cause filter too). */
export const failureCauseTitles: Record<FailureCause, string> = {
  "impersonation-scope": "Impersonation scope",
  "app-scope": "App permission or RBAC scope",
  "mailbox-alias": "Address is an alias",
  "mailbox-missing": "Mailbox missing",
  "mailbox-moving": "Mailbox being moved",
  throttled: "Throttled",
  "credentials-password": "Service account password or sign-in",
  "credentials-secret": "Client secret",
  "credentials-certificate": "Certificate",
  "credentials-consent": "App registration or consent",
  "mfa-conditional-access": "MFA or Conditional Access",
  "ews-blocked": "EWS blocked",
  "network-tls": "Network or TLS",
  "sync-service": "Sync service error",
  other: "Other",
};

/** Bulk actions on the users of a problem group. */
export const problemActions = ["recheck", "pause", "remove", "replace-alias"] as const;
export const ProblemAction = z.enum(problemActions);
export type ProblemAction = z.infer<typeof ProblemAction>;

/** A failing user as a problem group lists it. */
export const ProblemUser = z.object({
  id: Id,
  address: z.string(),
  displayName: z.string(),
  profileId: Id,
  state: UserState,
  code: z.string().nullable(),
  message: z.string().nullable(),
  /** For `mailbox-alias`: the primary SMTP address Exchange named. */
  primaryAddress: z.string().nullable(),
  since: z.string().nullable(),
  seenAt: z.string().nullable(),
});
export type ProblemUser = z.infer<typeof ProblemUser>;

/** Failures of one cause (in one profile, or across the caller's profiles). */
export const ProblemGroup = z.object({
  /** A failure cause, or a group another source adds (e.g. "stalled"). */
  cause: z.string(),
  title: z.string(),
  count: z.number().int(),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  /** The fix in plain words. */
  fix: z.string(),
  /** Exchange / Entra PowerShell for the fix, when there is one. */
  powershell: z.string().nullable(),
  /** The action that fits this cause; `actions` lists every action the group allows. */
  action: ProblemAction,
  actions: z.array(ProblemAction),
  /** Per profile: the count and the link to its user list filtered by this cause. */
  profiles: z.array(
    z.object({ profileId: Id, name: z.string(), count: z.number().int(), usersUrl: z.string() }),
  ),
  /** The first users (by address); the rest are in the user list (`usersUrl` per profile). */
  users: z.array(ProblemUser),
});
export type ProblemGroup = z.infer<typeof ProblemGroup>;

export const Problems = z.object({
  /** Failing users in all groups. */
  total: z.number().int(),
  groups: z.array(ProblemGroup),
});
export type Problems = z.infer<typeof Problems>;

/** `POST .../problems/:cause/actions`. */
export const ProblemActionBody = z.strictObject({ action: ProblemAction });
export type ProblemActionBody = z.infer<typeof ProblemActionBody>;

export const ProblemActionResult = z.object({
  action: ProblemAction,
  /** Users the action changed (or, for recheck, queued). */
  count: z.number().int(),
  /** Recheck: the jobs started, one per profile; profiles with a job already open are in `skipped`. */
  jobs: z.array(z.object({ profileId: Id, jobId: Id })),
  /** Users left alone and why (replace-alias: the primary address exists already; recheck: a job is running). */
  skipped: z.array(
    z.object({
      userId: Id.nullable(),
      profileId: Id,
      address: z.string().nullable(),
      reason: z.string(),
    }),
  ),
  /** replace-alias: each address replaced by its primary. */
  replaced: z.array(z.object({ userId: Id, from: z.string(), to: z.string() })),
});
export type ProblemActionResult = z.infer<typeof ProblemActionResult>;
