import type { AccessType } from "../../contract/common";

/** One Mailbox Access Type as the dropdown offers it. */
export interface AccessTypeOption {
  id: AccessType;
  /** The picklist label, exactly as the setup guide names it. */
  label: string;
  /** One line: which Exchange it fits. */
  hint: string;
}

/**
 * The Mailbox Access Types the panel offers, in picklist order. The app-only types join this list
 * when the server implements them (their ids are already in contract/common.ts).
 */
export const ACCESS_TYPE_OPTIONS: readonly AccessTypeOption[] = [
  {
    id: "ews-basic-impersonation",
    label: "Microsoft Exchange basic authorization (EWS API) - Impersonated logon",
    hint: "For on-premises or hybrid Exchange with Basic authentication on EWS. Exchange Online: use an app-only type.",
  },
  {
    id: "ews-oauth-impersonation",
    label: "Microsoft 365 OAuth Logon (EWS API) - Impersonated logon",
    hint: "For on-premises or hybrid Exchange with modern authentication (OAuth). Exchange Online: use an app-only type.",
  },
];

/**
 * The picklist: the server's list when it answered (it adds the app-only types as they land), else
 * the built-in one. Labels and hints from the server win.
 */
export function accessTypeOptions(
  fromServer: ReadonlyArray<{ id: string; label: string; hint: string }> | undefined,
): AccessTypeOption[] {
  if (!fromServer || fromServer.length === 0) return [...ACCESS_TYPE_OPTIONS];
  return fromServer.map((t) => ({ id: t.id as AccessType, label: t.label, hint: t.hint }));
}
