/**
 * The Microsoft Graph PowerShell script that creates or updates the Entra app registration (what
 * `npm run entra:app` prints and Settings shows). It does in a tenant what `entra-app.ts` computes:
 * the same redirect URIs, scope, app role, optional claims, permissions and pre-authorized clients,
 * merged into an existing registration the same way (ids kept, collections merged), with permission ids
 * looked up by value from each resource's service principal when it runs.
 */
import { API_SCOPE_NAME, PLATFORM_ADMIN_ROLE } from "../auth/entra";
import {
  apiScopeDefinition,
  DEFAULT_DISPLAY_NAME,
  ENTRA_ENVIRONMENTS,
  OPTIONAL_CLAIMS,
  platformAdminRole,
  PRE_AUTHORIZED_CLIENTS,
  redirectUris,
  REQUIRED_DELEGATED_PERMISSIONS,
  type EntraEnvironment,
  type RegistrationInput,
} from "./entra-app";

/** What the script is generated for; the script's parameters can still override each. */
export interface PowerShellInput extends RegistrationInput {
  /** ENTRA_CLIENT_ID when a registration exists already (then it is updated, not created). */
  clientId?: string;
  environment?: EntraEnvironment;
}

/** A PowerShell single-quoted string (no interpolation; `'` doubled). */
const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * The whole script, ready to save as `register-entra-app.ps1` and run in PowerShell 7.
 * @example entraAppPowerShell({ baseUrl: "https://sync.contoso.com", clientId: process.env.ENTRA_CLIENT_ID })
 */
export function entraAppPowerShell(input: PowerShellInput): string {
  const url = new URL(input.baseUrl);
  const redirects = redirectUris(input.baseUrl);
  const { id: _scopeId, ...scope } = apiScopeDefinition("");
  const { id: _roleId, ...role } = platformAdminRole("");
  // Everything the registration needs, as data: the script below only merges it in.
  const desired = {
    spaRedirectUris: redirects.spa,
    webRedirectUris: redirects.web,
    scope,
    appRole: role,
    optionalClaims: OPTIONAL_CLAIMS,
    delegatedPermissions: REQUIRED_DELEGATED_PERMISSIONS,
    preAuthorizedClients: PRE_AUTHORIZED_CLIENTS,
  };
  const environments = Object.keys(ENTRA_ENVIRONMENTS).map(quote).join(", ");
  const loginHosts = Object.entries(ENTRA_ENVIRONMENTS)
    .map(([name, host]) => `  ${name} = ${quote(host)}`)
    .join("\n");

  return `#Requires -Version 7
<#
  Mailbox Sync Admin: creates or updates its Entra ID app registration for ${url.origin}

  Run it once as a Global Administrator, Application Administrator or Cloud Application Administrator:
    Install-Module Microsoft.Graph.Applications -Scope CurrentUser   # once
    ./register-entra-app.ps1                     # creates the registration (or updates the one named below)
    ./register-entra-app.ps1 -ClientId <id>      # updates an existing registration
    ./register-entra-app.ps1 -AppIdOnlyUri       # Application ID URI api://<client id> (when your tenant's
                                                 # app-management policy refuses api://<host>/<client id>)
    ./register-entra-app.ps1 -Environment USGov  # sovereign clouds: ${Object.keys(ENTRA_ENVIRONMENTS).join(", ")}
    ./register-entra-app.ps1 -AddClientSecret    # also create a client secret for Connect account

  What it sets (and why), merged into what the registration already has; nothing is removed:
  - Single-page application redirects: brk-multihub://${url.host} (nested app authentication in Teams
    and Outlook: the hosts may broker tokens for this app) and ${url.origin}/redirect.html (the sign-in popup).
  - Web redirect: ${url.origin}/api/v1/oauth/callback (Connect account, the OAuth impersonated logon).
  - Application ID URI api://${url.host}/<client id> and the delegated scope ${API_SCOPE_NAME}, pre-authorized
    for the Teams, Microsoft 365, Outlook and Office add-in clients Microsoft lists for single sign-on.
  - App role ${PLATFORM_ADMIN_ROLE}: assign it to your platform admins (Enterprise applications > Users and groups).
  - Optional claims upn and acct in access tokens (end users are matched by upn; acct tells guests) and upn
    in ID tokens (Connect account checks which account signed in).
  - Delegated permissions: Microsoft Graph openid, profile, offline_access, User.Read; Office 365 Exchange
    Online EWS.AccessAsUser.All (Connect account). Grant them once with the admin-consent URL printed at the end.
  Existing scopes and roles keep their ids; redirect URIs, claims, permissions and clients are merged.
  App-only profiles (Graph or EWS app-only) use a second app of their own, with a certificate and no consented
  mailbox permissions: the panel's Connectivity tab gives that script.
#>
param(
  [ValidateSet(${environments})]
  [string] $Environment = ${quote(input.environment ?? "Global")},
  [string] $TenantId,
  [string] $ClientId = ${quote(input.clientId ?? "")},
  [string] $DisplayName = ${quote(input.displayName ?? DEFAULT_DISPLAY_NAME)},
  [switch] $AppIdOnlyUri${input.identifierUriForm === "client-id" ? " = $true" : ""},
  [switch] $AddClientSecret
)
$ErrorActionPreference = 'Stop'
Import-Module Microsoft.Graph.Applications

$HostName = ${quote(url.host)}
$LoginHosts = @{
${loginHosts}
}
$Desired = @'
${JSON.stringify(desired, null, 2)}
'@ | ConvertFrom-Json -AsHashtable

function Merge-Strings($Existing, $Wanted) {
  # Graph replaces whole collections: send what is there plus what is missing, in that order.
  , @(@($Existing) + @($Wanted) | Where-Object { $_ } | Select-Object -Unique)
}

function Merge-ByKey($Existing, $Wanted, [string] $Key) {
  $known = @($Existing | Where-Object { $_ } | ForEach-Object { $_[$Key] })
  , @(@($Existing | Where-Object { $_ }) + @($Wanted | Where-Object { $known -notcontains $_[$Key] }))
}

function Get-DelegatedPermissionId([string] $ResourceAppId, [string] $Value) {
  # Looked up by value from the resource's service principal, never hard-coded.
  $sp = Get-MgServicePrincipal -Filter "appId eq '$ResourceAppId'"
  $scope = $sp.Oauth2PermissionScopes | Where-Object { $_.Value -eq $Value }
  if (-not $scope) { throw "The service principal $ResourceAppId has no delegated permission '$Value'." }
  $scope.Id
}

function Get-Application([string] $AppId, [string] $Name) {
  if ($AppId) {
    return Invoke-MgGraphRequest -Method GET -Uri "v1.0/applications(appId='$AppId')" -OutputType Hashtable
  }
  $filter = "displayName eq '" + ($Name -replace "'", "''") + "'"
  $uri = 'v1.0/applications?$filter=' + [uri]::EscapeDataString($filter)
  $found = (Invoke-MgGraphRequest -Method GET -Uri $uri -OutputType Hashtable).value
  if (@($found).Count -gt 1) { throw "Several registrations are named '$Name'; run again with -ClientId <the one to update>." }
  if (@($found).Count -eq 1) { return $found[0] }
  $null
}

$connect = @{ Environment = $Environment; Scopes = 'Application.ReadWrite.All'; NoWelcome = $true }
if ($TenantId) { $connect.TenantId = $TenantId }
Connect-MgGraph @connect
$TenantId = (Get-MgContext).TenantId

$required = foreach ($resource in $Desired.delegatedPermissions) {
  @{
    resourceAppId  = $resource.resourceAppId
    resourceAccess = @($resource.values | ForEach-Object {
        @{ id = Get-DelegatedPermissionId $resource.resourceAppId $_; type = 'Scope' } })
  }
}

$app = Get-Application $ClientId $DisplayName
if (-not $app) {
  if ($ClientId) { throw "No registration has the client id $ClientId in tenant $TenantId." }
  Write-Host "Creating the registration '$DisplayName'..."
  $created = New-MgApplication -BodyParameter @{ displayName = $DisplayName; signInAudience = 'AzureADMyOrg' }
  $app = Get-Application $created.AppId $null
} else {
  Write-Host "Updating the registration '$($app.displayName)' ($($app.appId))..."
}

$scopes = @($app.api.oauth2PermissionScopes | Where-Object { $_ })
if (-not ($scopes | Where-Object { $_.value -eq $Desired.scope.value })) {
  $scopes += $Desired.scope + @{ id = [guid]::NewGuid().ToString() }
}
$roles = @($app.appRoles | Where-Object { $_ })
if (-not ($roles | Where-Object { $_.value -eq $Desired.appRole.value })) {
  $roles += $Desired.appRole + @{ id = [guid]::NewGuid().ToString() }
}
$requiredMerged = @($app.requiredResourceAccess | Where-Object { $_ })
foreach ($wanted in $required) {
  $entry = $requiredMerged | Where-Object { $_.resourceAppId -eq $wanted.resourceAppId }
  if ($entry) { $entry.resourceAccess = Merge-ByKey $entry.resourceAccess $wanted.resourceAccess 'id' }
  else { $requiredMerged += $wanted }
}
$claims = if ($app.optionalClaims) { $app.optionalClaims } else { @{} }
$identifierUri = if ($AppIdOnlyUri) { "api://$($app.appId)" } else { "api://$HostName/$($app.appId)" }
$api = if ($app.api) { $app.api } else { @{} }
$api.requestedAccessTokenVersion = 2
$api.oauth2PermissionScopes = $scopes
$web = if ($app.web) { $app.web } else { @{} }
$web.redirectUris = Merge-Strings $web.redirectUris $Desired.webRedirectUris

Update-MgApplication -ApplicationId $app.id -BodyParameter @{
  identifierUris         = Merge-Strings $app.identifierUris @($identifierUri)
  spa                    = @{ redirectUris = Merge-Strings $app.spa.redirectUris $Desired.spaRedirectUris }
  web                    = $web
  api                    = $api
  appRoles               = $roles
  optionalClaims         = @{
    accessToken = Merge-ByKey $claims.accessToken $Desired.optionalClaims.accessToken 'name'
    idToken     = Merge-ByKey $claims.idToken $Desired.optionalClaims.idToken 'name'
    saml2Token  = @($claims.saml2Token | Where-Object { $_ })
  }
  requiredResourceAccess = $requiredMerged
}

# Pre-authorize the host clients once the scope exists (Graph refuses ids of a scope it doesn't have yet).
$app = Get-Application $app.appId $null
$scopeId = ($app.api.oauth2PermissionScopes | Where-Object { $_.value -eq $Desired.scope.value }).id
$preAuthorized = @($app.api.preAuthorizedApplications | Where-Object { $_ })
foreach ($client in $Desired.preAuthorizedClients) {
  $entry = $preAuthorized | Where-Object { $_.appId -eq $client.appId }
  if ($entry) { $entry.delegatedPermissionIds = Merge-Strings $entry.delegatedPermissionIds @($scopeId) }
  else { $preAuthorized += @{ appId = $client.appId; delegatedPermissionIds = @($scopeId) } }
}
$app.api.preAuthorizedApplications = $preAuthorized
Update-MgApplication -ApplicationId $app.id -BodyParameter @{ api = $app.api }

if (-not (Get-MgServicePrincipal -Filter "appId eq '$($app.appId)'")) {
  New-MgServicePrincipal -AppId $app.appId | Out-Null
}

Write-Host ''
Write-Host 'Done. Put these in the server''s environment (or .env):'
Write-Host "  ENTRA_CLIENT_ID=$($app.appId)"
Write-Host "  ENTRA_TENANT_ID=$TenantId"
Write-Host "  ENTRA_ALLOWED_TENANTS=$TenantId"
if ($AppIdOnlyUri) { Write-Host "  ENTRA_APP_ID_URI=api://$($app.appId)" }
if ($Environment -ne 'Global') { Write-Host "  ENTRA_AUTHORITY=$($LoginHosts[$Environment])" }
if ($AddClientSecret) {
  $secret = Add-MgApplicationPassword -ApplicationId $app.id -PasswordCredential @{
    displayName = 'Mailbox Sync Admin: Connect account'; endDateTime = (Get-Date).AddMonths(12) }
  Write-Host "  ENTRA_CLIENT_SECRET=$($secret.SecretText)"
  Write-Host "  (shown once; it expires on $($secret.EndDateTime.ToString('yyyy-MM-dd')): note the date)"
}
Write-Host ''
Write-Host 'Grant the delegated permissions for your organization (open once, signed in as an admin):'
Write-Host "  $($LoginHosts[$Environment])/$TenantId/adminconsent?client_id=$($app.appId)"
Write-Host "Then assign the ${PLATFORM_ADMIN_ROLE} role to your platform admins: Entra admin center > Enterprise"
Write-Host "applications > $($app.displayName) > Users and groups > Add user/group."
`;
}
