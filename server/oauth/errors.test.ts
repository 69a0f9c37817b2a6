import { AuthError, InteractionRequiredAuthError, ServerError } from "@azure/msal-node";
import { describe, expect, it } from "vitest";
import { mapAuthorizeError, mapTokenError } from "./errors";
import { IdentityProviderNetworkError } from "./network";

const UPN = "svc-sync@contoso.com";
const entra = (error: string, aadsts: number, text: string) =>
  new ServerError(error, "", `AADSTS${aadsts}: ${text} Trace ID: x`, undefined, String(aadsts), 400);

describe("token error mapping", () => {
  it.each([
    [
      new InteractionRequiredAuthError(
        "invalid_grant",
        "",
        "AADSTS70000: The provided grant is invalid or malformed, expired or revoked.",
        undefined,
        undefined,
        undefined,
        undefined,
        "70000",
      ),
      "OAuthGrantRevoked",
    ],
    [
      entra(
        "invalid_grant",
        50173,
        "The provided grant has expired due to it being revoked, a fresh auth token is needed (password change).",
      ),
      "OAuthGrantRevoked",
    ],
    [entra("invalid_grant", 700082, "The refresh token has expired due to inactivity."), "OAuthGrantRevoked"],
    [
      entra("invalid_grant", 65001, "The user or administrator has not consented to use the application."),
      "OAuthConsentMissing",
    ],
    [new InteractionRequiredAuthError("consent_required", "", "consent needed"), "OAuthConsentMissing"],
    [
      entra(
        "invalid_grant",
        50076,
        "Due to a configuration change made by your administrator, you must use multi-factor authentication.",
      ),
      "OAuthMfaRequired",
    ],
    [
      entra("invalid_grant", 53003, "Access has been blocked by Conditional Access policies."),
      "OAuthMfaRequired",
    ],
    [
      entra("invalid_request", 50020, "User account from identity provider does not exist in tenant."),
      "OAuthWrongTenant",
    ],
    [entra("unauthorized_client", 700016, "Application was not found in the directory."), "OAuthWrongTenant"],
    [entra("invalid_client", 7000215, "Invalid client secret provided."), "OAuthAppMisconfigured"],
    [new AuthError("no_tokens_found", "", "No refresh token found in the cache."), "OAuthGrantRevoked"],
    [
      new IdentityProviderNetworkError("The identity provider could not be reached: ECONNREFUSED", "Network"),
      "OAuthProviderUnavailable",
    ],
  ])("maps %s to %s", (error, code) => {
    const failure = mapTokenError(error, UPN);
    expect(failure.code).toBe(code);
    expect(failure.serviceAccountFailure).toBe(true);
    if (code !== "OAuthProviderUnavailable") {
      expect(failure.transient).toBe(false);
      expect(failure.remediation).toMatch(/Reconnect|ENTRA_CLIENT/);
    } else expect(failure.transient).toBe(true);
  });

  it("names the account and keeps the provider's description as raw detail", () => {
    const failure = mapTokenError(
      entra("invalid_grant", 70000, "The provided grant is invalid or malformed, expired or revoked."),
      UPN,
    );
    expect(failure.message).toContain(UPN);
    expect(failure.raw).toContain("AADSTS70000");
  });

  it("maps errors the authority sends to the callback", () => {
    expect(
      mapAuthorizeError("access_denied", "AADSTS65004: User declined to consent to access the app.").code,
    ).toBe("OAuthSignInFailed");
    expect(
      mapAuthorizeError("consent_required", "AADSTS65001: The user or administrator has not consented.").code,
    ).toBe("OAuthConsentMissing");
    expect(
      mapAuthorizeError(
        "interaction_required",
        "AADSTS53003: Access has been blocked by Conditional Access policies.",
      ).code,
    ).toBe("OAuthMfaRequired");
  });
});
