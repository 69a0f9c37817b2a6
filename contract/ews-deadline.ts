/**
 * Exchange Online's end of EWS: blocked by default for apps not on a tenant's allow list since
 * October 1, 2026, switched off for good on April 1, 2027 (on-premises Exchange keeps EWS).
 * Shared by the server (profile list) and the panel (days left, Move to Graph call to action).
 */
export const EWS_RETIREMENT_DATE = "2027-04-01";

/**
 * EWS hosts of Exchange Online: the worldwide service and the sovereign clouds (GCC High, DoD,
 * China operated by 21Vianet). Subdomains count too (e.g. a regional `*.outlook.office365.com`).
 */
export const EXCHANGE_ONLINE_EWS_HOSTS = [
  "outlook.office365.com",
  "outlook.office.com",
  "outlook.office365.us",
  "webmail.apps.mil",
  "outlook-dod.office365.us",
  "partner.outlook.cn",
] as const;

/** Whether an EWS URL (or a bare host) points at Exchange Online. */
export function isExchangeOnlineEws(urlOrHost: string): boolean {
  let host = urlOrHost.trim().toLowerCase();
  try {
    if (host.includes("/")) host = new URL(host).hostname;
  } catch {
    return false;
  }
  host = host.replace(/\.$/, "");
  return EXCHANGE_ONLINE_EWS_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
}

/**
 * Whole days left until EWS ends in Exchange Online (0 on the day itself, negative after).
 * @example daysUntilEwsRetirement(Date.parse("2027-03-31T12:00:00Z")) // 1
 */
export function daysUntilEwsRetirement(now: number = Date.now()): number {
  const end = Date.parse(`${EWS_RETIREMENT_DATE}T00:00:00Z`);
  return Math.ceil((end - now) / 86_400_000);
}
