import type { FailureCause, ProblemAction } from "../../contract/problems";

/**
 * One cause per failure: what a failed check stored (the codes of server/ews/errors.ts, server/graph/errors.ts,
 * server/oauth/errors.ts, server/access/app-only-token.ts and the access types), Entra's AADSTS numbers,
 * HTTP statuses, and whatever the sync service reports (server/sync/reports.ts) → the cause an admin fixes.
 * Pure: the check and sync-report writers store the result in `users.failure_cause`, so the Problems view is
 * a GROUP BY.
 */

export interface FailureInput {
  code: string;
  message?: string | null;
  /** The profile's access type, when the writer knows it: an EWS refusal means RBAC for apps, impersonation otherwise. */
  accessType?: string | null;
}

const APP_ONLY = new Set(["ews-app-only", "graph-app-only"]);

// Entra ID (AADSTS) numbers, from Microsoft's "Microsoft Entra authentication and authorization error codes".
const AADSTS_MFA = new Set([
  "50072", // user must enroll for second factor
  "50074", // strong authentication required
  "50076", // MFA required (location or policy)
  "50079", // user must register for MFA
  "50097", // device authentication required
  "50158", // external security challenge not satisfied
  "53000", // device not compliant
  "53001", // device not domain joined
  "53002", // application not approved (app protection)
  "53003", // blocked by Conditional Access
  "53004", // proof-up required
  "530032", // blocked by security policy
  "530034",
]);
const AADSTS_PASSWORD = new Set([
  "50034", // user account not found
  "50053", // account locked
  "50055", // password expired
  "50056", // invalid or null password
  "50057", // account disabled
  "50126", // invalid username or password
  "50144", // AD password expired
  "50173", // grant expired (password changed)
  "70008", // refresh token expired
  "700082", // refresh token expired (inactivity)
  "700084",
  "50132", // session revoked (password change)
  "50133",
  "70000", // grant invalid or revoked
  "50089", // flow token expired
]);
const AADSTS_SECRET = new Set(["7000215", "7000222", "7000218"]);
const AADSTS_CERTIFICATE = new Set(["700027", "700024", "50012", "500133", "700023"]);
const AADSTS_CONSENT = new Set([
  "65001", // no consent
  "65004", // consent declined
  "650051",
  "650052", // the app needs access to a service the tenant has not subscribed to / consented
  "650056", // misconfigured application (no permissions)
  "90094", // admin consent required
  "90099",
  "700016", // application not found in the tenant
  "90002", // tenant not found
  "90072", // user not in the tenant
  "50020",
  "500011", // resource principal not found
  "70011", // invalid scope
  "50011", // reply address mismatch
  "500113",
  "50128",
]);

/** Codes the product stores (and codes Exchange, Graph and sync services send) → cause. */
const CODES: Record<string, FailureCause> = {
  // On-premises / service-account impersonation (ApplicationImpersonation role and its scope).
  ErrorImpersonateUserDenied: "impersonation-scope",
  ErrorImpersonationDenied: "impersonation-scope",
  ErrorInvalidExchangeImpersonationHeaderData: "impersonation-scope",
  ErrorMissingEmailAddress: "impersonation-scope",
  // App-only: RBAC for Applications, Graph permissions.
  Authorization_RequestDenied: "app-scope",
  AppTokenRefusedByExchange: "app-scope",
  TenantWideConsent: "app-scope",
  OutOfScopeReachable: "app-scope",
  InvalidAuthenticationToken: "app-scope",
  // The address.
  ErrorNonPrimarySmtpAddress: "mailbox-alias",
  ErrorNonExistentMailbox: "mailbox-missing",
  ErrorInvalidUser: "mailbox-missing",
  ErrorInvalidSmtpAddress: "mailbox-missing",
  ErrorMailboxNotFound: "mailbox-missing",
  MailboxNotEnabledForRESTAPI: "mailbox-missing",
  MailboxNotSupportedForRESTAPI: "mailbox-missing",
  ResourceNotFound: "mailbox-missing",
  Request_ResourceNotFound: "mailbox-missing",
  ErrorFolderNotFound: "mailbox-missing",
  ErrorMailboxMoveInProgress: "mailbox-moving",
  ErrorMailboxStoreUnavailable: "mailbox-moving",
  // Throttling (never written by a check; the sync service reports it).
  ErrorServerBusy: "throttled",
  ErrorTooManyObjectsOpened: "throttled",
  TooManyRequests: "throttled",
  ApplicationThrottled: "throttled",
  MailboxConcurrency: "throttled",
  ErrorExceededConnectionCount: "throttled",
  ErrorExceededSubscriptionCount: "throttled",
  // The service account's password or grant.
  Unauthorized: "credentials-password",
  BasicAuthNotEnabled: "credentials-password",
  TokenExpired: "credentials-password",
  TokenRevoked: "credentials-password",
  TokenInvalid: "credentials-password",
  OAuthNotConnected: "credentials-password",
  OAuthGrantRevoked: "credentials-password",
  OAuthWrongAccount: "credentials-password",
  // The app's credential.
  AppSecretInvalid: "credentials-secret",
  SecretNotBound: "credentials-secret",
  AppCertificateInvalid: "credentials-certificate",
  AppCertificateExpired: "credentials-certificate",
  // Registration, tenant, consent.
  OAuthConsentMissing: "credentials-consent",
  OAuthWrongTenant: "credentials-consent",
  OAuthAppMisconfigured: "credentials-consent",
  AppTenantNotFound: "credentials-consent",
  AppNotFound: "credentials-consent",
  AppResourceNotFound: "credentials-consent",
  AppTokenRefused: "credentials-consent",
  // MFA / Conditional Access.
  OAuthMfaRequired: "mfa-conditional-access",
  // EWS off for the organization, the mailbox or the app.
  EwsBlockSuspected: "ews-blocked",
  EwsAllowedAppIDs: "ews-blocked",
  EwsApplicationAccessPolicy: "ews-blocked",
  OAuthEwsRefusedToken: "ews-blocked",
  Forbidden: "ews-blocked",
  ErrorAccessDenied: "ews-blocked",
  // Reaching the server.
  Timeout: "network-tls",
  ConnectionDropped: "network-tls",
  ConnectionRefused: "network-tls",
  TlsError: "network-tls",
  DnsNotFound: "network-tls",
  ServerUnavailable: "network-tls",
  GraphUnavailable: "network-tls",
  GraphUnreachable: "network-tls",
  EwsUrlNotFound: "network-tls",
  HttpError: "network-tls",
  MalformedResponse: "network-tls",
  ResponseTooLarge: "network-tls",
  UrlNotHttps: "network-tls",
  UrlPrivateAddress: "network-tls",
  UrlMetadataAddress: "network-tls",
  UrlInvalid: "network-tls",
  AutodiscoverFailed: "network-tls",
  ErrorConnectionFailed: "network-tls",
  OAuthProviderUnavailable: "network-tls",
  AppIdentityProviderUnavailable: "network-tls",
  TokenUnavailable: "network-tls",
  ServiceUnavailable: "network-tls",
  GatewayTimeout: "network-tls",
};

/** Codes whose meaning differs for app-only access (no service account; RBAC for Applications decides). */
const APP_ONLY_CODES: Record<string, FailureCause> = {
  ErrorImpersonateUserDenied: "app-scope",
  ErrorImpersonationDenied: "app-scope",
  ErrorAccessDenied: "app-scope",
};

/** HTTP statuses, when that is all a sync service reports ("HTTP 429", "429"). */
function byStatus(status: number, appOnly: boolean): FailureCause | undefined {
  if (status === 429) return "throttled";
  if (status === 401) return appOnly ? "credentials-consent" : "credentials-password";
  if (status === 403) return appOnly ? "app-scope" : "ews-blocked";
  if (status === 404) return "mailbox-missing";
  if (status === 502 || status === 503 || status === 504) return "network-tls";
  return undefined;
}

function byAadsts(numbers: Iterable<string>): FailureCause | undefined {
  const all = [...numbers];
  // MFA first: a Conditional Access block is often told as "wrong credentials" by clients.
  if (all.some((n) => AADSTS_MFA.has(n))) return "mfa-conditional-access";
  if (all.some((n) => AADSTS_SECRET.has(n))) return "credentials-secret";
  if (all.some((n) => AADSTS_CERTIFICATE.has(n))) return "credentials-certificate";
  if (all.some((n) => AADSTS_CONSENT.has(n))) return "credentials-consent";
  if (all.some((n) => AADSTS_PASSWORD.has(n))) return "credentials-password";
  return undefined;
}

/** A table's own entry for `key` (a code such as "constructor" must not find Object.prototype's). */
function ownEntry<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * The cause of one failure. An AADSTS number anywhere in code or message wins (it is the most precise
 * signal); then the code; then an HTTP status. Unknown codes are `other`.
 * @example classifyFailure({ code: "ErrorImpersonateUserDenied", accessType: "ews-app-only" }) // "app-scope"
 */
export function classifyFailure(input: FailureInput): FailureCause {
  const code = input.code.trim();
  const appOnly = input.accessType ? APP_ONLY.has(input.accessType) : false;
  const text = `${code} ${input.message ?? ""}`;
  const aadsts = byAadsts([...text.matchAll(/AADSTS(\d+)/g)].map((m) => m[1]));
  if (aadsts) return aadsts;
  const appOnlyCause = ownEntry(APP_ONLY_CODES, code);
  if (appOnly && appOnlyCause) return appOnlyCause;
  const known = ownEntry(CODES, code);
  if (known) {
    // Without the access type, the app-only modules' own wording tells a refused app from a service account.
    if (!input.accessType && appOnlyCause && /\b(?:refused|denied) app\b/.test(input.message ?? "")) {
      return "app-scope";
    }
    return known;
  }
  const status = /^(?:HTTP\s*)?([1-5]\d\d)$/i.exec(code)?.[1];
  if (status) return byStatus(Number(status), appOnly) ?? "other";
  if (
    /^(?:ECONNRESET|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|CERT_|UNABLE_TO_VERIFY|SELF_SIGNED|DEPTH_ZERO)/.test(
      code,
    )
  ) {
    return "network-tls";
  }
  return "other";
}

/**
 * The cause of a sync session's errors (the first one the table knows; codes the table doesn't know are
 * the sync service's own: `sync-service`), or null when the session had none.
 */
export function classifySyncErrors(
  errors: readonly { code: string; message?: string }[] | null | undefined,
  accessType?: string | null,
): FailureCause | null {
  if (!errors || errors.length === 0) return null;
  for (const e of errors) {
    const cause = classifyFailure({ code: e.code, message: e.message, accessType });
    if (cause !== "other") return cause;
  }
  return "sync-service";
}

/** What an admin does about a cause: the fix, PowerShell when there is one, and the bulk actions that fit. */
export interface CauseAdvice {
  fix: string;
  powershell: string | null;
  /** The action offered first. */
  action: ProblemAction;
  actions: ProblemAction[];
}

const RECHECK: ProblemAction[] = ["recheck", "pause", "remove"];

/** The advice per cause; placeholders in <angle brackets> are filled per profile where the panel knows them. */
export const CAUSE_ADVICE: Record<FailureCause, CauseAdvice> = {
  "impersonation-scope": {
    fix: "The service account may not impersonate these mailboxes: they are outside the management scope of its ApplicationImpersonation role assignment (or it has none). Widen the scope or add the mailboxes to it in the Exchange Management Shell, then check again.",
    powershell:
      `New-ManagementScope -Name "Mailbox Sync" -RecipientRestrictionFilter "RecipientTypeDetails -eq 'UserMailbox' -or RecipientTypeDetails -eq 'RoomMailbox'"\n` +
      `New-ManagementRoleAssignment -Name "Mailbox Sync Impersonation" -Role ApplicationImpersonation -User "<service account>" -CustomRecipientWriteScope "Mailbox Sync"\n` +
      `Get-ManagementRoleAssignment -Role ApplicationImpersonation -GetEffectiveUsers`,
    action: "recheck",
    actions: RECHECK,
  },
  "app-scope": {
    fix: "The app has no role assignment (RBAC for Applications) or Graph permission that covers these mailboxes. Add them to the group behind the app's management scope, or assign the roles with a scope that covers them. Assignments take up to 2 hours to apply; then check again.",
    powershell:
      `New-ServicePrincipal -AppId "<app id>" -ObjectId "<enterprise app object id>" -DisplayName "Mailbox Sync"\n` +
      `New-ManagementScope -Name "Mailbox Sync Admin scope" -RecipientRestrictionFilter "MemberOfGroup -eq '<scope group DN>'"\n` +
      // -App takes the service principal's ObjectId (Get-ServicePrincipal), per
      // https://learn.microsoft.com/powershell/module/exchange/new-managementroleassignment
      `New-ManagementRoleAssignment -App "<enterprise app object id>" -Role "Application Mail.ReadWrite" -CustomResourceScope "Mailbox Sync Admin scope"\n` +
      `New-ManagementRoleAssignment -App "<enterprise app object id>" -Role "Application Calendars.ReadWrite" -CustomResourceScope "Mailbox Sync Admin scope"\n` +
      `New-ManagementRoleAssignment -App "<enterprise app object id>" -Role "Application EWS.AccessAsApp" -CustomResourceScope "Mailbox Sync Admin scope"\n` +
      `Test-ServicePrincipalAuthorization -Identity "<enterprise app object id>" -Resource "<user>" | Format-Table RoleName,InScope`,
    action: "recheck",
    actions: RECHECK,
  },
  "mailbox-alias": {
    fix: "These addresses are aliases (proxy addresses): EWS names mailboxes by their primary SMTP address only, and Exchange answered with the primary address. Replace each alias with its primary address; users whose primary address is already enrolled are skipped and listed.",
    powershell: `Get-Recipient "<user>" | Format-List PrimarySmtpAddress,EmailAddresses`,
    action: "replace-alias",
    actions: ["replace-alias", "recheck", "pause", "remove"],
  },
  "mailbox-missing": {
    fix: "Exchange has no mailbox for these addresses: a typo, a person who left, or (Graph) a mailbox that lives on-premises. Check the address; remove the users who left.",
    powershell: `Get-Recipient "<user>" | Format-List RecipientTypeDetails,PrimarySmtpAddress`,
    action: "remove",
    actions: ["remove", "recheck", "pause"],
  },
  "mailbox-moving": {
    fix: "The mailboxes are being moved to another database or server (or their database is unmounted). Nothing to do: this resolves itself; check again once the move is done.",
    powershell: `Get-MoveRequest "<user>" | Get-MoveRequestStatistics`,
    action: "recheck",
    actions: RECHECK,
  },
  throttled: {
    fix: "Exchange or Graph throttled the calls for these mailboxes. It passes by itself; if it keeps coming back, lower the profile's maximum concurrent connections or (on-premises) give the service account its own throttling policy.",
    powershell:
      `New-ThrottlingPolicy "Mailbox Sync" -EwsMaxConcurrency 27 -EwsMaxBurst Unlimited -EwsRechargeRate Unlimited -EwsCutoffBalance Unlimited\n` +
      `Set-ThrottlingPolicyAssociation "<service account>" -ThrottlingPolicy "Mailbox Sync"`,
    action: "recheck",
    actions: RECHECK,
  },
  "credentials-password": {
    fix: "Exchange or Entra ID refused the service account's sign-in: a wrong or expired password, a locked or disabled account, or a revoked grant. Re-enter the password (or Reconnect) on the Connectivity tab, then check again.",
    powershell: `Get-ADUser "<service account>" -Properties LockedOut,PasswordExpired,Enabled`,
    action: "recheck",
    actions: RECHECK,
  },
  "credentials-secret": {
    fix: "Entra ID refused the app's client secret (invalid or expired, AADSTS7000215/7000222), or the secret was entered for another host. Create a new secret in Entra admin center > App registrations > the app > Certificates & secrets and enter its Value on the Connectivity tab (better: a certificate).",
    powershell: null,
    action: "recheck",
    actions: RECHECK,
  },
  "credentials-certificate": {
    fix: "Entra ID refused the app's certificate (AADSTS700027): expired, or not registered with the app. Upload a current certificate both in the app registration and on the Connectivity tab, then check again.",
    powershell: null,
    action: "recheck",
    actions: RECHECK,
  },
  "credentials-consent": {
    fix: "The app registration is missing, in another tenant, or lacks admin consent for the permissions it uses. Check the tenant and client ids, then grant admin consent in Entra admin center > App registrations > the app > API permissions.",
    powershell: null,
    action: "recheck",
    actions: RECHECK,
  },
  "mfa-conditional-access": {
    fix: "Conditional Access or multi-factor authentication blocks the service account's background sign-in (AADSTS50076, 50079, 53003 …). Clients often report this as wrong credentials. Exclude the service account from the policy, or trust this server's outbound IP addresses as a named location (the account's sign-in log names the policy), then Reconnect.",
    powershell: null,
    action: "recheck",
    actions: RECHECK,
  },
  "ews-blocked": {
    fix: "EWS is turned off for the organization or these mailboxes, or (Exchange Online) the app is not in the tenant's EWS allow list. Turn EWS on and add the app to EwsAllowedAppIDs (keep the current list; never -EwsApplicationAccessPolicy EnforceAllowList). Allow-list changes take up to 24 hours.",
    powershell:
      // EwsAllowedAppIDs is one comma-separated list, read back only with -RetrieveEwsOperationAccessPolicy:
      // https://learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-control-access-to-ews-in-exchange
      `Get-OrganizationConfig | Format-List EwsEnabled,EwsApplicationAccessPolicy,EwsAllowList\n` +
      `$ids = @(((Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy).EwsAllowedAppIDs -join ",") -split "," | ForEach-Object { $_.Trim() } | Where-Object { $_ })\n` +
      `if ($ids -notcontains "<app id>") { $ids += "<app id>" }\n` +
      `Set-OrganizationConfig -EwsAllowedAppIDs ($ids -join ",")\n` +
      `Set-OrganizationConfig -EwsEnabled $true\n` +
      `Set-CASMailbox "<user>" -EwsEnabled $true`,
    action: "recheck",
    actions: RECHECK,
  },
  "network-tls": {
    fix: "This server could not reach Exchange, Graph or Entra ID: DNS, firewall, proxy, an untrusted TLS certificate (set EWS_CA_FILE for an on-premises CA) or a server that is down. Fix the path, then check again.",
    powershell: null,
    action: "recheck",
    actions: RECHECK,
  },
  "sync-service": {
    fix: "The sync service reported errors of its own for these mailboxes in its latest session. Read the messages below and the sync service's logs; pause the mailboxes while it is investigated. The group clears with the next clean session.",
    powershell: null,
    action: "pause",
    actions: ["pause", "recheck", "remove"],
  },
  other: {
    fix: "An error without a known cause. Read each user's message and its remediation in the user list; check again once fixed.",
    powershell: null,
    action: "recheck",
    actions: RECHECK,
  },
};
