import { EmailAddress } from "../../contract/common";

/** What is wrong with an Account Logon, or undefined when it is fine. */
export function accountLogonProblem(value: string): string | undefined {
  if (!value.trim()) return "Enter the service account's e-mail address.";
  return EmailAddress.safeParse(value).success ? undefined : "Enter an e-mail address such as svc-sync@contoso.com.";
}

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
