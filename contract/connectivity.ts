import { z } from "zod";
import { EmailAddress, Id, MailboxError } from "./common";

/** A connectivity-test step's status. */
export const StepStatus = z.enum(["passed", "failed", "warning", "skipped"]);
export type StepStatus = z.infer<typeof StepStatus>;

/** One step of a connectivity test, as the Remote Connectivity Analyzer shows it. */
export const ConnectivityStep = z.object({
  name: z.string(),
  status: StepStatus,
  ms: z.number(),
  detail: z.string(),
  remediation: z.string().nullable().optional(),
  code: z.string().nullable().optional(),
});
export type ConnectivityStep = z.infer<typeof ConnectivityStep>;

/** POST /profiles/:id/connectivity-tests */
export const ConnectivityTestBody = z
  .object({
    targetUser: EmailAddress.optional(),
    outOfScopeUser: EmailAddress.optional(),
    /**
     * The admin just changed Exchange (role assignments, EWS allow list) at this time: a refusal that
     * such a change can explain reads "may still be applying; try again at HH:MM", not "misconfigured".
     */
    changedAt: z.iso.datetime().optional(),
  })
  .strict();
export type ConnectivityTestBody = z.infer<typeof ConnectivityTestBody>;

/** A stored connectivity test run. */
export const ConnectivityResult = z.object({
  id: z.string(),
  ok: z.boolean(),
  steps: z.array(ConnectivityStep),
  startedAt: z.string(),
  finishedAt: z.string(),
  createdBy: z.string(),
});
export type ConnectivityResult = z.infer<typeof ConnectivityResult>;

/**
 * POST /autodiscover: `profileId` lends that profile's stored service account credentials, which go only
 * to the hosts they were entered for; `confirmHost` is a host a previous answer's `confirmRedirect` named
 * and the admin confirmed.
 */
export const AutodiscoverBody = z
  .object({
    email: EmailAddress,
    profileId: Id.optional(),
    confirmHost: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .max(253)
      .regex(/^[a-z0-9.:[\]-]+$/, "must be a host name")
      .optional(),
  })
  .strict();
export type AutodiscoverBody = z.infer<typeof AutodiscoverBody>;
export const AutodiscoverResult = z.object({
  ewsUrl: z.string().nullable(),
  steps: z.array(ConnectivityStep),
  /** A redirect led to this host, which asks for the credentials: re-call with `confirmHost` to send them. */
  confirmRedirect: z.object({ host: z.string(), url: z.string() }).optional(),
  /** Hosts the profile's credentials were sent to in this run. */
  sentTo: z.array(z.string()),
});
export type AutodiscoverResult = z.infer<typeof AutodiscoverResult>;

/** POST /profiles/:id/checks: check now, at most 50 users per request. */
export const CheckUsersBody = z
  .object({
    userIds: z.array(Id).min(1).max(50, "check at most 50 users per request; use an activation job for more"),
  })
  .strict();
export type CheckUsersBody = z.infer<typeof CheckUsersBody>;

/** One user's check-now result. */
export const CheckUserResult = z.object({
  userId: z.string(),
  address: z.string(),
  ok: z.boolean(),
  ms: z.number(),
  state: z.string(),
  mailboxKind: z.string().nullable(),
  error: MailboxError.extend({ transient: z.boolean() }).nullable(),
  /**
   * Exchange refused the check as busy (ErrorServerBusy, 429, 503 with Retry-After): try again after this
   * many milliseconds. Nothing was written: the user's state and last error are as they were.
   */
  backOffMs: z.number().int().optional(),
});
export type CheckUserResult = z.infer<typeof CheckUserResult>;
