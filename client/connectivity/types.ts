import type { z } from "zod";
import type {
  AutodiscoverResult as AutodiscoverResultSchema,
  ConnectivityTestBody,
} from "../../contract/connectivity";
import type {
  MailboxAccessBody,
  MailboxAccessView as ContractMailboxAccessView,
} from "../../contract/mailbox-access";

export type { ConnectivityResult, ConnectivityStep } from "../../contract/connectivity";

/** A connectivity-test step's status. */
export type StepStatus = "passed" | "failed" | "warning" | "skipped";

/** The OAuth service account a profile is connected with (OAuth impersonated logon). */
export interface ConnectedAccount {
  upn: string;
  tenantId: string;
  connectedAt: string;
  lastRefreshAt: string | null;
}

/** `GET /profiles/:id/mailbox-access` (never a secret), with the OAuth account when connected. */
export type MailboxAccessView = ContractMailboxAccessView & { connectedAccount?: ConnectedAccount | null };

/** The stored configuration and its version (the ETag to send back as If-Match). */
export interface MailboxAccessState {
  access: MailboxAccessView | null;
  etag: string | null;
}

export type MailboxAccessInput = MailboxAccessBody;
export type BasicAccessInput = Extract<MailboxAccessBody, { type: "ews-basic-impersonation" }>;
export type OAuthAccessInput = Extract<MailboxAccessBody, { type: "ews-oauth-impersonation" }>;
export type ConnectivityTargets = ConnectivityTestBody;

/** `POST /autodiscover` answer: the EWS URL found and the steps taken. */
export type AutodiscoverResult = z.infer<typeof AutodiscoverResultSchema>;
