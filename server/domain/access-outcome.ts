import type { MailboxError, MailboxKind } from "../../contract/common";
import type { FailureCause } from "../../contract/problems";

// What reaching a mailbox can come to, whatever the protocol: the EWS, Graph and OAuth clients produce
// these and the access types, jobs and services consume them, so they sit below all of them.

/**
 * A failure mapped from whatever the wire answered (SOAP fault, HTTP status, token error, TLS, timeout)
 * to what an Exchange admin can act on. One table per protocol maps into this shape.
 */
export interface AccessFailure extends MailboxError {
  /** Worth retrying later (throttling, timeouts, 5xx); permanent errors are not retried. */
  transient: boolean;
  /**
   * Exchange's `BackOffMilliseconds` or Graph's `Retry-After`: no call for this profile (or, with
   * `backOffScope` "mailbox", for this mailbox) before it ends.
   */
  backOffMs?: number;
  /** "mailbox" when Exchange charged the busy call to the target mailbox's budget (an impersonated EWS call). */
  backOffScope?: "mailbox";
  /** The service account itself failed (wrong password, revoked grant): stop bulk work with this reason. */
  serviceAccountFailure?: boolean;
  /** The raw error as the server sent it (for the connectivity test's detail), never containing secrets. */
  raw?: string;
  /** ErrorNonPrimarySmtpAddress: the mailbox's primary SMTP address, as Exchange named it in MessageXml. */
  primaryAddress?: string;
  /** The failure's cause (server/domain/failure-cause.ts), set where the access type is known. */
  cause?: FailureCause;
}

/** The outcome of checking one mailbox: impersonate it and bind Inbox and Calendar. */
export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: AccessFailure;
  /** `room` when the address is in a room list, `user` when it resolved as a plain mailbox, else null. */
  mailboxKind?: MailboxKind | null;
}

export type StepStatus = "passed" | "failed" | "warning" | "skipped";

/** One step of a connectivity test, as the Remote Connectivity Analyzer shows it. */
export interface ConnectivityStep {
  name: string;
  status: StepStatus;
  ms: number;
  detail: string;
  remediation?: string;
  /** Error code when the step failed or warned. */
  code?: string;
}

export interface ConnectivityTargets {
  /** A user to impersonate (defaults to the profile's first user). */
  targetUser?: string;
  /** A user the service account must NOT reach (app-only scoping checks). */
  outOfScopeUser?: string;
  /**
   * When the admin last changed Exchange or the access (epoch ms): RBAC for Applications changes take up
   * to 2 hours and EWS allow-list changes up to 24, so a refusal soon after reads "may still be applying".
   */
  changedAt?: number;
}
