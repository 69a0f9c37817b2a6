import { isExchangeOnlineEws } from "../../contract/ews-deadline";
import type { FailureCause } from "../../contract/problems";
import { CAUSE_ADVICE, type CauseAdvice } from "./failure-cause";

/**
 * Where a profile's mailboxes are reached, which decides the PowerShell that fixes a cause: an
 * on-premises Exchange Server (service account, ApplicationImpersonation), Exchange Online with a service
 * account (EWS, impersonation), Exchange Online app-only over EWS, or app-only over Microsoft Graph.
 */
export type AccessEnvironment = "on-premises" | "exchange-online" | "app-only-ews" | "app-only-graph";

/**
 * The environment of a profile's access settings (its type and stored settings JSON); null when unknown.
 * @example accessEnvironment("ews-basic-impersonation", '{"ewsUrl":"https://mail.contoso.com/EWS/Exchange.asmx"}') // "on-premises"
 */
export function accessEnvironment(type: string, settings: string | null): AccessEnvironment | null {
  if (type === "graph-app-only") return "app-only-graph";
  if (type === "ews-app-only") return "app-only-ews";
  if (type !== "ews-basic-impersonation" && type !== "ews-oauth-impersonation") return null;
  let ewsUrl: unknown;
  try {
    ewsUrl = settings ? (JSON.parse(settings) as { ewsUrl?: unknown }).ewsUrl : undefined;
  } catch {
    return null;
  }
  if (typeof ewsUrl !== "string") return type === "ews-oauth-impersonation" ? "exchange-online" : null;
  return isExchangeOnlineEws(ewsUrl) ? "exchange-online" : "on-premises";
}

// The cmdlets and parameters below, as Microsoft documents them:
// - New-ManagementRoleAssignment (-User with -CustomRecipientWriteScope on-premises; -App, which takes the
//   service principal's ObjectId from Get-ServicePrincipal, with -CustomResourceScope in Exchange Online):
//   https://learn.microsoft.com/powershell/module/exchange/new-managementroleassignment
// - RBAC for Applications ("Application ..." roles, management scopes, Test-ServicePrincipalAuthorization):
//   https://learn.microsoft.com/exchange/permissions-exo/application-rbac
//   https://learn.microsoft.com/powershell/module/exchange/test-serviceprincipalauthorization
// - EWS on or off and the allow lists (Set-OrganizationConfig -EwsEnabled / -EwsApplicationAccessPolicy /
//   -EwsAllowList, Set-CASMailbox -EwsEnabled; Exchange Online: -EwsAllowedAppIDs as one comma-separated
//   list, read back only with Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy, up to 24 hours to
//   apply): https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-control-access-to-ews-in-exchange

/** RBAC for Applications for one set of application roles (app-only access in Exchange Online). */
const appRbac = (roles: readonly string[]) =>
  [
    `New-ServicePrincipal -AppId "<app id>" -ObjectId "<enterprise app object id>" -DisplayName "Mailbox Sync"`,
    `New-ManagementScope -Name "Mailbox Sync Admin scope" -RecipientRestrictionFilter "MemberOfGroup -eq '<scope group DN>'"`,
    ...roles.map(
      (role) =>
        `New-ManagementRoleAssignment -App "<enterprise app object id>" -Role "${role}" -CustomResourceScope "Mailbox Sync Admin scope"`,
    ),
    `Test-ServicePrincipalAuthorization -Identity "<enterprise app object id>" -Resource "<user>" | Format-Table RoleName,InScope`,
  ].join("\n");

/** Exchange Online: EWS on, and the app in the tenant's allow list (keeping the ids already there). */
const ewsAllowedAppIds = [
  `Get-OrganizationConfig | Format-List EwsEnabled,EwsApplicationAccessPolicy,EwsAllowList`,
  `$ids = @(((Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy).EwsAllowedAppIDs -join ",") -split "," | ForEach-Object { $_.Trim() } | Where-Object { $_ })`,
  `if ($ids -notcontains "<app id>") { $ids += "<app id>" }`,
  `Set-OrganizationConfig -EwsAllowedAppIDs ($ids -join ",")`,
  `Set-OrganizationConfig -EwsEnabled $true`,
  `Set-CASMailbox "<user>" -EwsEnabled $true`,
].join("\n");

/** The advice that differs by environment; the rest of CAUSE_ADVICE holds for every environment. */
const BY_ENVIRONMENT: Partial<
  Record<FailureCause, Partial<Record<AccessEnvironment, Pick<CauseAdvice, "fix" | "powershell">>>>
> = {
  "impersonation-scope": {
    "on-premises": {
      fix: "The service account may not impersonate these mailboxes: they are outside the management scope of its ApplicationImpersonation role assignment (or it has none). In the Exchange Management Shell, create a scope that covers them and assign the role to the service account with it (or widen the existing scope), then check again.",
      powershell: CAUSE_ADVICE["impersonation-scope"].powershell,
    },
  },
  "app-scope": {
    "app-only-ews": {
      fix: "The app has no RBAC for Applications assignment of the role Application EWS.AccessAsApp that covers these mailboxes. In Exchange Online PowerShell, add them to the group behind the assignment's management scope, or assign the role with a scope that covers them. Assignments take up to 2 hours to apply; then check again.",
      powershell: appRbac(["Application EWS.AccessAsApp"]),
    },
    "app-only-graph": {
      fix: "The app has no RBAC for Applications assignment (Application Mail.ReadWrite, Application Calendars.ReadWrite) that covers these mailboxes. In Exchange Online PowerShell, add them to the group behind the assignments' management scope, or assign the roles with a scope that covers them. Assignments take up to 2 hours to apply; then check again.",
      powershell: appRbac(["Application Mail.ReadWrite", "Application Calendars.ReadWrite"]),
    },
  },
  "ews-blocked": {
    "on-premises": {
      fix: "EWS is turned off for the organization or for these mailboxes, or an EWS application access policy (EnforceAllowList) does not list this server's client. Turn EWS on in the Exchange Management Shell (turning it on for a mailbox does not override the organization), or add this server to EwsAllowList, then check again.",
      powershell: [
        `Get-OrganizationConfig | Format-List EwsEnabled,EwsApplicationAccessPolicy,EwsAllowList,EwsBlockList`,
        `Get-CASMailbox "<user>" | Format-List EwsEnabled`,
        `Set-OrganizationConfig -EwsEnabled $true`,
        `Set-CASMailbox "<user>" -EwsEnabled $true`,
      ].join("\n"),
    },
    "exchange-online": {
      fix: "EWS is turned off for the tenant or these mailboxes, or the app is not in the tenant's EWS allow list (EwsAllowedAppIDs): since October 2026 Exchange Online admits only the apps listed there. Add the app keeping the ids already listed (never -EwsApplicationAccessPolicy EnforceAllowList) and turn EWS on; the list takes up to 24 hours to apply. Better: move the profile to Graph before EWS ends.",
      powershell: ewsAllowedAppIds,
    },
    "app-only-ews": {
      fix: "EWS is turned off for the tenant or these mailboxes, or the app is not in the tenant's EWS allow list (EwsAllowedAppIDs): since October 2026 Exchange Online admits only the apps listed there. Add the app keeping the ids already listed and turn EWS on; the list takes up to 24 hours to apply. Better: move the profile to Graph before EWS ends.",
      powershell: ewsAllowedAppIds,
    },
  },
};

/**
 * A cause's advice for an environment: its own fix and PowerShell where they differ (null environment:
 * the advice for every environment).
 * @example adviceFor("app-scope", "app-only-graph").powershell // RBAC for Applications with Application Mail.ReadWrite ...
 */
export function adviceFor(cause: FailureCause, environment: AccessEnvironment | null): CauseAdvice {
  const base = CAUSE_ADVICE[cause];
  const own = environment ? BY_ENVIRONMENT[cause]?.[environment] : undefined;
  return own ? { ...base, ...own } : base;
}
