import { AuthError } from "@azure/msal-node";
import type { AccessFailure } from "../domain/access-outcome";
import { IdentityProviderNetworkError } from "./network";

/** Every OAuth failure here asks for the same action in the panel: Reconnect (Connect account again). */
const RECONNECT = "Then choose Reconnect on the Connectivity tab and sign in as the service account.";

interface TokenFailureEntry {
  message: (upn: string) => string;
  remediation: (upn: string) => string;
  transient: boolean;
}

/**
 * The mapping table for token errors (msal-node errors, Entra `AADSTS` codes, EWS refusing a token):
 * code → message, remediation (ending with Reconnect) and transient.
 */
export const TOKEN_FAILURES: Record<string, TokenFailureEntry> = {
  OAuthNotConnected: {
    message: () => "No service account is connected for the OAuth impersonated logon.",
    remediation: () =>
      `Choose Connect account on the Connectivity tab and sign in as the service account that holds the ApplicationImpersonation role.`,
    transient: false,
  },
  OAuthGrantRevoked: {
    message: (upn) =>
      `The sign-in of ${upn} is no longer valid: its refresh token was revoked or expired, or its password was reset.`,
    remediation: (upn) =>
      `Check that ${upn} is enabled and its sign-in sessions were not revoked (Revoke-MgUserSignInSession or a password reset revoke them). ${RECONNECT}`,
    transient: false,
  },
  OAuthConsentMissing: {
    message: () => "The app has no consent to use EWS on behalf of the service account (AADSTS65001).",
    remediation: () =>
      `An Entra ID admin must grant consent: Entra admin center > App registrations > this app > API permissions > add Office 365 Exchange Online "EWS.AccessAsUser.All" (delegated) > Grant admin consent. ${RECONNECT}`,
    transient: false,
  },
  OAuthMfaRequired: {
    message: (upn) =>
      `Conditional Access or multi-factor authentication now blocks the background sign-in of ${upn} (AADSTS50076 / AADSTS53003).`,
    remediation: (upn) =>
      `Exclude ${upn} from the Conditional Access policy that requires MFA or a compliant device, or allow this server's outbound IP addresses as a trusted named location (Entra admin center > Protection > Conditional Access; the sign-in log of ${upn} names the policy). ${RECONNECT}`,
    transient: false,
  },
  OAuthWrongTenant: {
    message: (upn) => `${upn} belongs to another tenant than the one this app serves.`,
    remediation: () =>
      `Sign in with a service account of the configured tenant (ENTRA_TENANT_ID), or register the app in the service account's tenant. ${RECONNECT}`,
    transient: false,
  },
  OAuthEwsRefusedToken: {
    message: (upn) =>
      `Exchange refused a valid token for ${upn} (HTTP 401): EWS may be disabled for the account, or the token's audience is not this Exchange.`,
    remediation: (upn) =>
      `Check that EWS is enabled for ${upn} and for the organization:\n` +
      `Get-CASMailbox "${upn}" | Format-List EwsEnabled\n` +
      `Set-CASMailbox "${upn}" -EwsEnabled $true\n` +
      `For hybrid modern authentication, check that the EWS host is registered as a service principal name of Office 365 Exchange Online (Get-MgServicePrincipal -Filter "appId eq '00000002-0000-0ff1-ce00-000000000000'"). ${RECONNECT}`,
    transient: false,
  },
  OAuthAppMisconfigured: {
    message: () => "The identity provider refused this app's credentials or configuration.",
    remediation: () =>
      "Check ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET (or ENTRA_CLIENT_CERT_FILE) and that the callback URL <BASE_URL>/api/v1/oauth/callback is a Web redirect URI of the app registration.",
    transient: false,
  },
  OAuthProviderUnavailable: {
    message: () => "The identity provider could not be reached to refresh the service account's token.",
    remediation: () =>
      "Transient: retried later. If it persists, check that this server reaches the authority (ENTRA_AUTHORITY) and trusts its certificate (ENTRA_CA_FILE).",
    transient: true,
  },
  OAuthSignInFailed: {
    message: () => "The identity provider refused the sign-in.",
    remediation: () => `Read the identity provider's message below. ${RECONNECT}`,
    transient: false,
  },
};

const MFA = new Set(["50076", "50079", "50158", "53000", "53001", "53003", "50074", "50097"]);
const WRONG_TENANT = new Set(["50020", "90072", "700016", "50128", "90002", "500208"]);
const REVOKED = new Set([
  "70000",
  "70008",
  "50173",
  "700082",
  "700084",
  "50089",
  "50078",
  "50126",
  "50053",
  "50057",
  "50133",
  "50132",
  "50055",
]);
const APP = new Set(["7000215", "7000222", "700027", "50011", "500113", "7000218"]);

/**
 * Builds the failure for a code of TOKEN_FAILURES; `raw` is the provider's description (never a token).
 * @example tokenFailure("OAuthGrantRevoked", "svc@contoso.com", "AADSTS70000: ...")
 */
export function tokenFailure(
  code: keyof typeof TOKEN_FAILURES,
  upn = "the service account",
  raw?: string,
): AccessFailure {
  const entry = TOKEN_FAILURES[code];
  return {
    code,
    message: entry.message(upn),
    remediation: entry.remediation(upn),
    transient: entry.transient,
    serviceAccountFailure: true,
    ...(raw ? { raw: raw.slice(0, 1000) } : {}),
  };
}

/** The Entra error numbers in an error (`error_codes` or `AADSTS…` in the description). */
function aadstsCodes(error: AuthError): string[] {
  const codes = new Set<string>();
  const errorNo = (error as AuthError & { errorNo?: string }).errorNo;
  if (errorNo) codes.add(String(errorNo));
  for (const m of `${error.errorMessage} ${error.message}`.matchAll(/AADSTS(\d+)/g)) codes.add(m[1]);
  return [...codes];
}

/**
 * Maps whatever a token request threw (msal-node errors with Entra's `error`/`AADSTS…`, network
 * failures) to an AccessFailure with a Reconnect remediation, or a transient one for outages.
 * @example mapTokenError(error, "svc@contoso.com").code // "OAuthGrantRevoked"
 */
export function mapTokenError(error: unknown, upn?: string): AccessFailure {
  if (error instanceof IdentityProviderNetworkError) {
    return tokenFailure("OAuthProviderUnavailable", upn, error.message);
  }
  if (!(error instanceof AuthError)) {
    return tokenFailure(
      "OAuthProviderUnavailable",
      upn,
      error instanceof Error ? error.message : String(error),
    );
  }
  const raw =
    `${error.errorCode}${error.subError ? ` (${error.subError})` : ""}: ${error.errorMessage}`.trim();
  const codes = aadstsCodes(error);
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  if (codes.includes("65001") || error.errorCode === "consent_required") {
    return tokenFailure("OAuthConsentMissing", upn, raw);
  }
  if (has(MFA) || error.errorCode === "interaction_required") {
    return tokenFailure("OAuthMfaRequired", upn, raw);
  }
  if (has(WRONG_TENANT)) return tokenFailure("OAuthWrongTenant", upn, raw);
  if (has(APP) || error.errorCode === "invalid_client" || error.errorCode === "unauthorized_client") {
    return tokenFailure("OAuthAppMisconfigured", upn, raw);
  }
  if (
    has(REVOKED) ||
    error.errorCode === "invalid_grant" ||
    error.errorCode === "login_required" ||
    error.errorCode === "no_tokens_found" ||
    error.errorCode === "no_account_found"
  ) {
    return tokenFailure("OAuthGrantRevoked", upn, raw);
  }
  if (
    error.errorCode === "network_error" ||
    error.errorCode === "endpoints_resolution_error" ||
    /timeout|ECONNREFUSED|ENOTFOUND|could not be reached/i.test(raw)
  ) {
    return tokenFailure("OAuthProviderUnavailable", upn, raw);
  }
  const status = (error as AuthError & { status?: number }).status;
  if (status !== undefined && status >= 500) return tokenFailure("OAuthProviderUnavailable", upn, raw);
  return tokenFailure("OAuthSignInFailed", upn, raw);
}

/** An error the identity provider sent to the callback (`error`, `error_description`) as a failure. */
export function mapAuthorizeError(error: string, description: string | undefined): AccessFailure {
  return mapTokenError(new AuthError(error, "", description ?? ""));
}
