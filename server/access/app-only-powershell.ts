/** The ids the generated PowerShell needs; absent ones become `<placeholders>` the admin fills in. */
export interface AppOnlyScriptInput {
  api: "ews" | "graph";
  tenantId: string;
  clientId: string;
  /** The service principal's object id (Enterprise applications > the app > Object ID, or the token's `oid`). */
  servicePrincipalObjectId?: string | null;
  /** A mail-enabled group whose members the app may reach. */
  scopeGroup?: string | null;
  /** A user inside the scope and one outside it, for Test-ServicePrincipalAuthorization. */
  inScopeUser?: string | null;
  outOfScopeUser?: string | null;
  /** The roles to assign; default APP_ONLY_ROLES[api] (Move to Graph adds the write roles its keys need). */
  roles?: readonly string[];
}

/** RBAC for Applications roles each type needs (assigned to the service principal, scoped). */
export const APP_ONLY_ROLES: Record<AppOnlyScriptInput["api"], string[]> = {
  ews: ["Application EWS.AccessAsApp"],
  graph: [
    "Application Mail.ReadWrite",
    "Application Calendars.ReadWrite",
    "Application MailboxSettings.Read",
  ],
};

const quote = (s: string) => `"${s.replace(/[`"$]/g, (c) => `\`${c}`)}"`;

/**
 * The Exchange Online PowerShell that scopes the app with RBAC for Applications instead of tenant-wide
 * consent: service principal pointer, management scope, one scoped role assignment per role, a check
 * with Test-ServicePrincipalAuthorization, and (EWS) the tenant's EWS application allow list.
 * @example appOnlyPowerShell({ api: "ews", tenantId, clientId, servicePrincipalObjectId, scopeGroup: "sync-users@contoso.com" })
 */
export function appOnlyPowerShell(input: AppOnlyScriptInput): string {
  const sp =
    input.servicePrincipalObjectId ??
    "<service principal object id: Entra admin center > Enterprise applications > the app > Object ID>";
  const group =
    input.scopeGroup ?? "<sync-users@your-domain: a mail-enabled security group of the synced mailboxes>";
  const scopeName = "Mailbox Sync Admin scope";
  const spName = "Mailbox Sync Admin";
  const lines = [
    `# Exchange Online PowerShell, as an Exchange administrator (tenant ${input.tenantId}).`,
    `Connect-ExchangeOnline -Organization ${quote(input.tenantId)}`,
    "",
    "# 1. Point Exchange at the app's service principal (Entra: Enterprise applications > the app).",
    `New-ServicePrincipal -AppId ${quote(input.clientId)} -ObjectId ${quote(sp)} -DisplayName ${quote(spName)}`,
    "",
    "# 2. The mailboxes the app may reach: the members of one group.",
    `$group = Get-DistributionGroup ${quote(group)}`,
    `New-ManagementScope -Name ${quote(scopeName)} -RecipientRestrictionFilter "MemberOfGroup -eq '$($group.DistinguishedName)'"`,
    "",
    "# 3. Grant the roles inside that scope only (RBAC for Applications; no tenant-wide consent in Entra).",
    ...(input.roles ?? APP_ONLY_ROLES[input.api]).map(
      (role) =>
        `New-ManagementRoleAssignment -App ${quote(input.clientId)} -Role ${quote(role)} -CustomResourceScope ${quote(scopeName)}`,
    ),
    "",
    "# 4. Check: InScope must be True for a synced user and False for anybody else.",
    `Test-ServicePrincipalAuthorization -Identity ${quote(input.clientId)} -Resource ${quote(input.inScopeUser ?? "<a synced user's address>")} | Format-Table RoleName,InScope`,
    `Test-ServicePrincipalAuthorization -Identity ${quote(input.clientId)} -Resource ${quote(input.outOfScopeUser ?? "<an address outside the group>")} | Format-Table RoleName,InScope`,
  ];
  if (input.api === "ews") {
    lines.push(
      "",
      "# 5. EWS is blocked for apps not on the tenant's allow list (since October 2026; EWS ends April 1, 2027).",
      "#    Keep EWS on and add this app to the list the tenant already has (read it first, then append).",
      "#    Do NOT set -EwsApplicationAccessPolicy EnforceAllowList: that policy filters by user agent and, with",
      "#    an empty list, blocks every EWS client. Allow-list changes take up to 24 hours to apply.",
      "Get-OrganizationConfig | Format-List EwsEnabled,EwsAllowedAppIDs",
      "$allowed = @((Get-OrganizationConfig).EwsAllowedAppIDs)",
      `if ($allowed -notcontains ${quote(input.clientId)}) { $allowed += ${quote(input.clientId)} }`,
      "Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs $allowed",
    );
  } else {
    lines.push(
      "",
      "# Rooms (/places) need the Graph application permission Place.Read.All with admin consent in Entra:",
      "# it reveals room names and addresses, no mail. Do NOT consent Mail.*, Calendars.* or MailboxSettings.* there.",
    );
  }
  lines.push(
    "",
    "# Role assignments can take up to 2 hours to apply (cached by Exchange); run the connectivity test again after that.",
  );
  return lines.join("\n");
}
