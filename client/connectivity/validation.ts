import { EmailAddress } from "../../contract/common";
import { AccountLogon } from "../../contract/mailbox-access";

/** What is wrong with an Account Logon, or undefined when it is fine. */
export function accountLogonProblem(value: string): string | undefined {
  if (!value.trim()) return "Enter the service account's logon.";
  return AccountLogon.safeParse(value).success
    ? undefined
    : "Enter user@domain (such as svc-sync@contoso.com) or DOMAIN\\user.";
}

/** True for an e-mail address such as ceo@contoso.com. */
export const isEmailAddress = (value: string): boolean => EmailAddress.safeParse(value).success;

/** True when the logon is an e-mail address (Autodiscover needs one). */
export const isEmailLogon = isEmailAddress;

/** What is wrong with an EWS URL, or undefined when it is fine (the server checks the host policy). */
export function ewsUrlProblem(value: string): string | undefined {
  if (!value.trim()) return "Enter the EWS URL, or use Autodiscover.";
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return "Enter a full URL such as https://mail.contoso.com/EWS/Exchange.asmx.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "The EWS URL must start with https://.";
  return undefined;
}

/** True when the EWS URL points at Exchange Online, where Basic auth and impersonation are gone. */
export function isExchangeOnline(value: string): boolean {
  try {
    return /(^|\.)outlook\.office365\.com$/i.test(new URL(value.trim()).hostname);
  } catch {
    return false;
  }
}

/** The host of a URL as typed, lower-case, or undefined when it is not a URL. */
export function hostOf(value: string): string | undefined {
  try {
    return new URL(value.trim()).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Where the stored password may no longer be used: the EWS URL's host or the logon changed (the server
 * then wants the password again, see docs/SECURITY.md). Answers the new host to name, or undefined.
 */
export function passwordRebindHost(
  stored: { accountLogon?: string; ewsUrl?: string | null },
  accountLogon: string,
  ewsUrl: string,
): string | undefined {
  const host = hostOf(ewsUrl);
  const hostChanged = host !== undefined && host !== hostOf(stored.ewsUrl ?? "");
  const logonChanged = accountLogon.trim().toLowerCase() !== (stored.accountLogon ?? "").toLowerCase();
  return hostChanged || logonChanged ? (host ?? ewsUrl.trim()) : undefined;
}
