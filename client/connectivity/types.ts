import type { AccessType } from "../../contract/common";

/*
 * Client-side shapes of the mailbox-access and connectivity responses, as DESIGN.md's API contract
 * describes them. contract/mailbox-access.ts and contract/connectivity.ts are the source of truth;
 * these stay structurally compatible with them.
 */

/** The OAuth service account a profile is connected with. */
export interface ConnectedAccount {
  upn: string;
  tenantId: string;
  connectedAt: string;
  lastRefreshAt: string | null;
}

/** `GET /profiles/:id/mailbox-access` (never a secret: `passwordSet` instead of the password). */
export interface MailboxAccessView {
  type: AccessType;
  accountLogon?: string;
  ewsUrl?: string | null;
  passwordSet?: boolean;
  connectedAccount?: ConnectedAccount | null;
  /** Warnings the server attaches (e.g. Exchange Online no longer allows Basic). */
  warnings?: string[];
  updatedAt?: string;
  [key: string]: unknown;
}

/** The stored configuration and its version (the ETag to send back as If-Match). */
export interface MailboxAccessState {
  access: MailboxAccessView | null;
  etag: string | null;
}

/** Body of `PUT /profiles/:id/mailbox-access` for basic impersonated logon. */
export interface BasicAccessInput {
  type: "ews-basic-impersonation";
  accountLogon: string;
  /** Omitted: keep the stored password. */
  password?: string;
  ewsUrl: string;
}

/** Body of `PUT /profiles/:id/mailbox-access` for OAuth impersonated logon. */
export interface OAuthAccessInput {
  type: "ews-oauth-impersonation";
  ewsUrl?: string;
}

export type MailboxAccessInput = BasicAccessInput | OAuthAccessInput;

export type StepStatus = "passed" | "failed" | "warning" | "skipped";

/** One step of a connectivity test (as the Remote Connectivity Analyzer shows it). */
export interface ConnectivityStep {
  name: string;
  status: StepStatus;
  ms: number;
  detail: string;
  remediation?: string | null;
  code?: string | null;
}

/** A stored connectivity test run. */
export interface ConnectivityResult {
  steps: ConnectivityStep[];
  id?: string;
  ok?: boolean;
  targetUser?: string | null;
  outOfScopeUser?: string | null;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  createdBy?: string;
}

/** `POST /autodiscover` answer: the EWS URL found and how it was found. */
export interface AutodiscoverResult {
  ewsUrl: string | null;
  steps: Array<{ name?: string; url?: string; status?: string; detail?: string; [key: string]: unknown } | string>;
}
