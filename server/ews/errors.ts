import type { AccessFailure } from "../domain/access-outcome";
import { TransportError } from "./transport";
import { UrlPolicyError } from "./url-policy";

/** What the mapping needs to write remediation for this case. */
export interface FailureContext {
  /** The service account's logon (never its password). */
  serviceAccount?: string;
  /** The mailbox the call acted on. */
  target?: string;
  ewsUrl?: string;
}

interface Entry {
  message: string | ((c: FailureContext, v: Record<string, string>) => string);
  remediation: string | ((c: FailureContext, v: Record<string, string>) => string);
  transient: boolean;
  serviceAccountFailure?: boolean;
}

const svc = (c: FailureContext) => c.serviceAccount ?? "<service account>";
const who = (c: FailureContext) => c.target ?? "<user>";
const server = (c: FailureContext) => {
  try {
    return c.ewsUrl ? new URL(c.ewsUrl).hostname : "<Exchange server>";
  } catch {
    return "<Exchange server>";
  }
};

/**
 * THE mapping table: every code the wire can answer (EWS response codes, HTTP statuses, transport and
 * URL-policy failures, token errors) → message, remediation an Exchange admin can act on, transient.
 */
export const FAILURES: Record<string, Entry> = {
  ErrorImpersonateUserDenied: {
    message: (c) =>
      `The service account may not impersonate ${who(c)}: the mailbox is outside its ApplicationImpersonation scope.`,
    remediation: (c) =>
      `Put ${who(c)} inside the management scope of the service account's ApplicationImpersonation assignment, or widen the scope. In the Exchange Management Shell:\n` +
      `New-ManagementScope -Name "Mailbox Sync" -RecipientRestrictionFilter "RecipientTypeDetails -eq 'UserMailbox' -or RecipientTypeDetails -eq 'RoomMailbox'"\n` +
      `New-ManagementRoleAssignment -Name "Mailbox Sync Impersonation" -Role ApplicationImpersonation -User "${svc(c)}" -CustomRecipientWriteScope "Mailbox Sync"\n` +
      `Check the current assignment with: Get-ManagementRoleAssignment -Role ApplicationImpersonation -GetEffectiveUsers | Where-Object EffectiveUserName -like "*${svc(c).split("@")[0]}*"`,
    transient: false,
  },
  ErrorImpersonationDenied: {
    message: () =>
      "The service account has no right to impersonate anybody (no ApplicationImpersonation role).",
    remediation: (c) =>
      `Grant the ApplicationImpersonation role to the service account, scoped to the synced mailboxes. In the Exchange Management Shell:\n` +
      `New-ManagementScope -Name "Mailbox Sync" -RecipientRestrictionFilter "RecipientTypeDetails -eq 'UserMailbox'"\n` +
      `New-ManagementRoleAssignment -Name "Mailbox Sync Impersonation" -Role ApplicationImpersonation -User "${svc(c)}" -CustomRecipientWriteScope "Mailbox Sync"`,
    transient: false,
    serviceAccountFailure: true,
  },
  ErrorNonExistentMailbox: {
    message: (c) => `Exchange has no mailbox for ${who(c)}.`,
    remediation: (c) =>
      `Check the address for typos and that the mailbox exists (and, in a hybrid setup, where it lives): Get-Recipient "${who(c)}" | Format-List RecipientTypeDetails,PrimarySmtpAddress. ` +
      `If the person left, remove the user from this profile.`,
    transient: false,
  },
  ErrorNonPrimarySmtpAddress: {
    message: (c, v) =>
      v.Primary
        ? `${who(c)} is an alias; the mailbox's primary address is ${v.Primary}.`
        : `${who(c)} is not the mailbox's primary SMTP address.`,
    remediation: (c, v) =>
      v.Primary
        ? `Replace ${who(c)} with the primary address ${v.Primary} in this profile (remove the user and add ${v.Primary}).`
        : `Use the primary SMTP address: Get-Mailbox "${who(c)}" | Select-Object PrimarySmtpAddress`,
    transient: false,
  },
  ErrorAccessDenied: {
    message: (c) => `Exchange denied access to ${who(c)}'s mailbox.`,
    remediation: (c) =>
      `EWS may be disabled for this mailbox or blocked for this application. Check and fix in the Exchange Management Shell:\n` +
      `Get-CASMailbox "${who(c)}" | Format-List EwsEnabled,EwsApplicationAccessPolicy,EwsBlockList,EwsAllowList\n` +
      `Set-CASMailbox "${who(c)}" -EwsEnabled $true\n` +
      `Get-OrganizationConfig | Format-List EwsEnabled,EwsApplicationAccessPolicy`,
    transient: false,
  },
  ErrorMissingEmailAddress: {
    message: (c) => `The service account ${svc(c)} has no mailbox (or no Exchange license).`,
    remediation: (c) =>
      `Give the service account a mailbox: rooms, resources and room lists can't be read through EWS without one. On-premises: Enable-Mailbox "${svc(c)}". ` +
      `In Exchange Online / hybrid: assign the account an Exchange Online license.`,
    transient: false,
  },
  ErrorMailboxMoveInProgress: {
    message: (c) => `${who(c)}'s mailbox is being moved to another database or server.`,
    remediation: (c) =>
      `Wait for the move to finish; the check is retried later. See its progress with: Get-MoveRequest "${who(c)}" | Get-MoveRequestStatistics`,
    transient: true,
  },
  ErrorServerBusy: {
    message: (_c, v) =>
      `Exchange is throttling the service account${v.BackOffMilliseconds ? ` (back off ${v.BackOffMilliseconds} ms)` : ""}.`,
    remediation: (c) =>
      `Transient: calls resume after the back-off. If it happens often, lower the profile's maximum concurrent connections or give the service account its own throttling policy:\n` +
      `New-ThrottlingPolicy "Mailbox Sync" -EwsMaxConcurrency 27 -EwsMaxBurst Unlimited -EwsRechargeRate Unlimited -EwsCutoffBalance Unlimited\n` +
      `Set-ThrottlingPolicyAssociation "${svc(c)}" -ThrottlingPolicy "Mailbox Sync"`,
    transient: true,
  },
  ErrorInvalidExchangeImpersonationHeaderData: {
    message: (c) => `Exchange refused the impersonation header for ${who(c)}.`,
    remediation: () =>
      "Check that the user's address is a valid SMTP address. With an app-only token, every call must name the mailbox to impersonate.",
    transient: false,
  },
  ErrorSchemaValidation: {
    message: "Exchange refused the request as invalid for its schema version.",
    remediation: "Check that the EWS URL points to Exchange 2013 or later.",
    transient: false,
  },
  ErrorInvalidRequest: {
    message: "Exchange refused the request as invalid.",
    remediation: "Check that the EWS URL points to Exchange 2013 or later.",
    transient: false,
  },
  ErrorInvalidServerVersion: {
    message: "Exchange does not support the requested server version.",
    remediation: "Use Exchange 2013 or later.",
    transient: false,
  },
  ErrorInternalServerError: {
    message: "Exchange reported an internal error.",
    remediation: "Transient; retried later. If it persists, check the Exchange server's event log.",
    transient: true,
  },
  ErrorFolderNotFound: {
    message: (c) => `The Inbox or Calendar of ${who(c)} could not be found.`,
    remediation: (c) =>
      `Check the mailbox's folders: Get-MailboxFolderStatistics "${who(c)}" -FolderScope Inbox`,
    transient: false,
  },
  ErrorMailboxStoreUnavailable: {
    message: "The mailbox database is unavailable.",
    remediation: "Transient; retried later. Check the database's mount state: Get-MailboxDatabaseCopyStatus",
    transient: true,
  },
  ErrorConnectionFailed: {
    message: "Exchange could not connect to the mailbox server.",
    remediation: "Transient; retried later.",
    transient: true,
  },
  ErrorTooManyObjectsOpened: {
    message: "Exchange has too many objects open for the service account.",
    remediation: "Transient; lower the profile's maximum concurrent connections.",
    transient: true,
  },

  Unauthorized: {
    message: (c) => `Exchange refused the service account's credentials (${svc(c)}).`,
    remediation: (c) =>
      `Check the logon (user@domain or DOMAIN\\user) and re-enter the password. Check that the account is not locked or expired: ` +
      `Get-ADUser "${svc(c).split("@")[0]}" -Properties LockedOut,PasswordExpired,Enabled`,
    transient: false,
    serviceAccountFailure: true,
  },
  BasicAuthNotEnabled: {
    message: (c) =>
      `Basic authentication is not enabled on EWS at ${server(c)}: the server offers only Negotiate/NTLM.`,
    remediation: (c) =>
      `Enable Basic authentication on the EWS virtual directory (over https only), then run iisreset:\n` +
      `Set-WebServicesVirtualDirectory -Identity "${server(c)}\\EWS (Default Web Site)" -BasicAuthentication $true\n` +
      `Or use the OAuth impersonated logon type.`,
    transient: false,
    serviceAccountFailure: true,
  },
  Forbidden: {
    message: "Exchange answered 403 Forbidden.",
    remediation:
      "Check that EWS is enabled for the organization and that no firewall or reverse proxy blocks the service account.",
    transient: false,
    serviceAccountFailure: true,
  },
  EwsUrlNotFound: {
    message: (c) => `No EWS endpoint at ${c.ewsUrl ?? "the EWS URL"} (HTTP 404).`,
    remediation: "Check the EWS URL (usually https://<server>/EWS/Exchange.asmx) or use autodiscover.",
    transient: false,
    serviceAccountFailure: true,
  },
  HttpError: {
    message: (_c, v) => `Exchange answered HTTP ${v.status ?? "?"}.`,
    remediation: "Check the EWS URL and any reverse proxy in front of Exchange.",
    transient: false,
  },
  ServerUnavailable: {
    message: (_c, v) => `Exchange is unavailable (HTTP ${v.status ?? "5xx"}).`,
    remediation:
      "Transient; retried later. If it persists, check the Exchange server and the load balancer in front of it.",
    transient: true,
  },
  MalformedResponse: {
    message: "Exchange sent a response that is not valid XML.",
    remediation: "Transient; retried later. If it persists, check for a proxy rewriting responses.",
    transient: true,
  },

  Timeout: {
    message: (c) => `${server(c)} did not answer in time.`,
    remediation: "Transient; retried later. Check the server's load and the network path.",
    transient: true,
  },
  ConnectionDropped: {
    message: (c) => `The connection to ${server(c)} was dropped.`,
    remediation:
      "Transient; retried later. Check load balancers and proxies between this service and Exchange.",
    transient: true,
  },
  ConnectionRefused: {
    message: (c) => `${server(c)} refused the connection or is unreachable.`,
    remediation: "Check the EWS URL's host and port and that the firewall lets this service reach it.",
    transient: true,
  },
  TlsError: {
    message: (c) => `The TLS certificate of ${server(c)} is not trusted.`,
    remediation:
      "Install a certificate from a public CA on Exchange, or trust its CA here: put the CA certificate (PEM) in a file and set EWS_CA_FILE to its path.",
    transient: false,
  },
  DnsNotFound: {
    message: (c) => `The name ${server(c)} could not be resolved.`,
    remediation: "Check the host name in the EWS URL and the DNS this service uses.",
    transient: true,
  },
  Aborted: { message: "The request was cancelled.", remediation: "Nothing to do.", transient: true },
  ResponseTooLarge: {
    message: (c) =>
      `${server(c)} sent an answer larger than this product reads for this call (8 MB for EWS and Graph checks, 1 MB for autodiscover and sign-in)`,
    remediation:
      "Not retried: check that the URL points to Exchange (EWS or autodiscover) or Microsoft Graph and not to another service or a proxy's error page.",
    transient: false,
  },
  UrlNotHttps: {
    message: "The EWS URL must use https.",
    remediation:
      "Use https://<server>/EWS/Exchange.asmx. http is allowed only for hosts listed in EWS_ALLOWED_HOSTS.",
    transient: false,
    serviceAccountFailure: true,
  },
  UrlPrivateAddress: {
    message: "The EWS URL points to a private, loopback or link-local address.",
    remediation:
      "For on-premises Exchange on an internal network, add the host or its network (CIDR) to EWS_ALLOWED_HOSTS.",
    transient: false,
    serviceAccountFailure: true,
  },
  UrlMetadataAddress: {
    message: "The URL points to a cloud metadata address, which is never allowed.",
    remediation: "Use the Exchange server's real host name.",
    transient: false,
    serviceAccountFailure: true,
  },
  UrlInvalid: {
    message: "The EWS URL is not valid.",
    remediation: "Use https://<server>/EWS/Exchange.asmx.",
    transient: false,
    serviceAccountFailure: true,
  },

  // Token errors: placeholders the OAuth types fill in (they map AADSTS codes to these).
  TokenExpired: {
    message: "The service account's access token has expired and could not be refreshed.",
    remediation: "Reconnect the service account (Connect account).",
    transient: false,
    serviceAccountFailure: true,
  },
  TokenRevoked: {
    message: "The service account's grant was revoked or expired.",
    remediation: "Reconnect the service account (Connect account).",
    transient: false,
    serviceAccountFailure: true,
  },
  TokenInvalid: {
    message: "Exchange refused the access token.",
    remediation: "Check the token's audience (the EWS host) and scope, then reconnect.",
    transient: false,
    serviceAccountFailure: true,
  },
  TokenUnavailable: {
    message: "No access token could be obtained from the identity provider.",
    remediation: "Transient if the identity provider is down; otherwise check the app registration.",
    transient: true,
  },

  AutodiscoverFailed: {
    message: "Autodiscover found no EWS URL.",
    remediation:
      "Enter the EWS URL (https://<server>/EWS/Exchange.asmx) yourself, or publish autodiscover for the domain (DNS name autodiscover.<domain> or an _autodiscover._tcp SRV record). Test-OutlookWebServices -Identity <address> shows what Exchange publishes.",
    transient: false,
  },
  Unknown: {
    message: (_c, v) => `Unexpected error${v.detail ? `: ${v.detail}` : ""}.`,
    remediation: "Retry; if it persists, check the server logs.",
    transient: true,
  },
};

/** Builds the failure for a code in the table (unknown codes keep their name with generic advice). */
export function failure(
  code: string,
  context: FailureContext = {},
  values: Record<string, string> = {},
  raw?: string,
): AccessFailure {
  const entry = FAILURES[code];
  if (!entry) {
    return {
      code,
      message: `Exchange answered ${code}.`,
      remediation:
        "Look the code up in Microsoft's EWS reference (ResponseCode); retry later if it looks temporary.",
      transient: false,
      raw,
    };
  }
  const text = (x: Entry["message"]) => (typeof x === "function" ? x(context, values) : x);
  const out: AccessFailure = {
    code,
    message: text(entry.message),
    remediation: text(entry.remediation),
    transient: entry.transient,
    raw: raw?.slice(0, 2000),
  };
  if (entry.serviceAccountFailure) out.serviceAccountFailure = true;
  if (code === "ErrorNonPrimarySmtpAddress" && values.Primary) out.primaryAddress = values.Primary;
  if (code === "ErrorServerBusy") {
    const ms = Number(values.BackOffMilliseconds);
    out.backOffMs = Number.isFinite(ms) && ms > 0 ? ms : 5_000;
    // An impersonated call is charged to the target mailbox's budget (see BackOffGate).
    if (context.target) out.backOffScope = "mailbox";
  }
  return out;
}

/** The first non-NoError EWS code in a SOAP body, its message and MessageXml values. */
export function ewsCodeOf(
  body: string,
): { code: string; message: string; values: Record<string, string> } | undefined {
  const re = /<(?:\w+:)?ResponseCode(?:\s[^>]*)?>\s*(\w+)\s*</g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) {
    if (m[1] === "NoError") continue;
    const rest = body.slice(m.index, m.index + 4000);
    const message =
      /<(?:\w+:)?(?:Message|MessageText)(?:\s[^>]*)?>([^<]*)</.exec(rest)?.[1] ??
      /<faultstring[^>]*>([^<]*)</.exec(body)?.[1] ??
      "";
    const values: Record<string, string> = {};
    for (const v of rest.matchAll(/<(?:\w+:)?Value Name="(\w+)">([^<]*)</g)) values[v[1]] = v[2]!;
    return { code: m[1], message, values };
  }
  return undefined;
}

/** One HTTP answer as the mapping sees it. */
export interface AnswerLike {
  status: number;
  challenges: string[];
  body: string;
}

/**
 * Maps one failed EWS call to an AccessFailure: a transport or URL-policy error, else the last HTTP
 * answer (401 challenges, SOAP fault, ResponseClass="Error", 5xx), else what the library threw.
 * @example mapFailure({ error, answer }, { serviceAccount: "svc@contoso.com", target: "jane@contoso.com" })
 */
export function mapFailure(
  input: { error?: unknown; answer?: AnswerLike; usedBasic?: boolean },
  context: FailureContext = {},
): AccessFailure {
  const { error, answer } = input;
  if (error instanceof TransportError) return failure(error.code, context, {}, error.message);
  // An AbortSignal fired while waiting (a back-off, a queue): the same as a cancelled request.
  if (error instanceof Error && error.name === "AbortError") {
    return failure("Aborted", context, {}, error.message);
  }
  if (error instanceof UrlPolicyError) {
    return { ...failure(error.code, context, {}, error.message), message: error.message };
  }
  if (answer) {
    const raw = `HTTP ${answer.status}${answer.challenges.length ? ` (WWW-Authenticate: ${answer.challenges.join(", ")})` : ""}${answer.body ? `\n${answer.body.slice(0, 1500)}` : ""}`;
    if (answer.status === 401) {
      const schemes = answer.challenges.map((c) => c.split(/\s/)[0].toLowerCase());
      if (input.usedBasic !== false && schemes.length > 0 && !schemes.includes("basic")) {
        return failure("BasicAuthNotEnabled", context, {}, raw);
      }
      if (input.usedBasic === false) return failure("TokenInvalid", context, {}, raw);
      return failure("Unauthorized", context, {}, raw);
    }
    const ews = answer.status === 200 || answer.status === 500 ? ewsCodeOf(answer.body) : undefined;
    if (ews) {
      return failure(
        ews.code,
        context,
        ews.values,
        `${ews.code}: ${ews.message}${Object.keys(ews.values).length ? ` ${JSON.stringify(ews.values)}` : ""}`,
      );
    }
    if (answer.status === 403) return failure("Forbidden", context, {}, raw);
    if (answer.status === 404) return failure("EwsUrlNotFound", context, {}, raw);
    if (answer.status >= 500) {
      return failure("ServerUnavailable", context, { status: String(answer.status) }, raw);
    }
    if (answer.status === 200) {
      return failure("MalformedResponse", context, {}, `${errorText(error)}\n${raw}`);
    }
    return failure("HttpError", context, { status: String(answer.status) }, raw);
  }
  return failure("Unknown", context, { detail: errorText(error) }, errorText(error));
}

function errorText(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) return String(error.message);
  return String(error);
}
