import type { z } from "zod";
import type {
  AutodiscoverResult as AutodiscoverResultSchema,
  ConnectivityTestBody,
} from "../../contract/connectivity";
import type { MailboxAccessBody, MailboxAccessView } from "../../contract/mailbox-access";

export type { ConnectivityResult, ConnectivityStep, StepStatus } from "../../contract/connectivity";
export type { ConnectedAccount, MailboxAccessView, MailboxAccessViewOf } from "../../contract/mailbox-access";

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
