import type { MailboxAccessView } from "./types";

/**
 * A stored basic-impersonation configuration as the server shows it (write-only: the password is only
 * "set"), for the connectivity tests; `overrides` change any field.
 * @example storedBasicAccess({ warnings: [] })
 */
export function storedBasicAccess(overrides: Partial<MailboxAccessView> = {}): MailboxAccessView {
  return {
    type: "ews-basic-impersonation",
    label: "Microsoft Exchange basic authorization (EWS API) - Impersonated logon",
    version: 3,
    updatedAt: "2026-11-26T10:00:00.000Z",
    updatedBy: "admin@example.com",
    warnings: ["Exchange Online no longer allows Basic authentication."],
    accountLogon: "svc-sync@contoso.com",
    ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    passwordSet: true,
    ...overrides,
  } as MailboxAccessView;
}
