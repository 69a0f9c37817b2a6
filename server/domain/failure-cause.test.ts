import { describe, expect, it } from "vitest";
import { failureCauses } from "../../contract/problems";
import { failure } from "../ews/errors";
import { mapGraphFailure } from "../graph/errors";
import { tokenFailure } from "../oauth/errors";
import { appTokenFailure } from "../access/app-only-token";
import { CAUSE_ADVICE, classifyFailure, classifySyncErrors } from "./failure-cause";

describe("classifyFailure", () => {
  it.each([
    ["ErrorImpersonateUserDenied", "ews-basic-impersonation", "impersonation-scope"],
    ["ErrorImpersonationDenied", "ews-oauth-impersonation", "impersonation-scope"],
    ["ErrorImpersonateUserDenied", "ews-app-only", "app-scope"],
    ["ErrorAccessDenied", "graph-app-only", "app-scope"],
    ["ErrorAccessDenied", "ews-basic-impersonation", "ews-blocked"],
    ["Authorization_RequestDenied", null, "app-scope"],
    ["ErrorNonPrimarySmtpAddress", null, "mailbox-alias"],
    ["ErrorNonExistentMailbox", null, "mailbox-missing"],
    ["ErrorInvalidUser", "graph-app-only", "mailbox-missing"],
    ["MailboxNotEnabledForRESTAPI", "graph-app-only", "mailbox-missing"],
    ["ErrorMailboxMoveInProgress", null, "mailbox-moving"],
    ["ErrorServerBusy", null, "throttled"],
    ["TooManyRequests", "graph-app-only", "throttled"],
    ["ApplicationThrottled", null, "throttled"],
    ["Unauthorized", "ews-basic-impersonation", "credentials-password"],
    ["OAuthGrantRevoked", "ews-oauth-impersonation", "credentials-password"],
    ["AppSecretInvalid", "graph-app-only", "credentials-secret"],
    ["SecretNotBound", "ews-basic-impersonation", "credentials-secret"],
    ["AppCertificateInvalid", "ews-app-only", "credentials-certificate"],
    ["OAuthConsentMissing", null, "credentials-consent"],
    ["AppNotFound", null, "credentials-consent"],
    ["OAuthMfaRequired", null, "mfa-conditional-access"],
    ["EwsBlockSuspected", "ews-app-only", "ews-blocked"],
    ["EwsAllowedAppIDs", null, "ews-blocked"],
    ["TlsError", null, "network-tls"],
    ["DnsNotFound", null, "network-tls"],
    ["GraphUnavailable", null, "network-tls"],
    ["HTTP 429", null, "throttled"],
    ["503", null, "network-tls"],
    ["403", "graph-app-only", "app-scope"],
    ["ECONNRESET", null, "network-tls"],
    ["SomethingNew", null, "other"],
  ])("%s (%s) → %s", (code, accessType, cause) => {
    expect(classifyFailure({ code, accessType })).toBe(cause);
  });

  it.each([
    [
      "AADSTS50076: Due to a configuration change made by your administrator, you must use MFA",
      "mfa-conditional-access",
    ],
    [
      "AADSTS50079: The user is required to register for multi-factor authentication",
      "mfa-conditional-access",
    ],
    ["AADSTS53003: Access has been blocked by Conditional Access policies", "mfa-conditional-access"],
    ["AADSTS7000215: Invalid client secret provided", "credentials-secret"],
    ["AADSTS7000222: The provided client secret keys are expired", "credentials-secret"],
    ["AADSTS700027: Client assertion failed signature validation", "credentials-certificate"],
    ["AADSTS65001: The user or administrator has not consented", "credentials-consent"],
    ["AADSTS50126: Error validating credentials due to invalid username or password", "credentials-password"],
    ["AADSTS50055: The password is expired", "credentials-password"],
  ])("reads Entra's number in the message: %s", (message, cause) => {
    // The code a client reports for a Conditional Access block is often "invalid credentials".
    expect(classifyFailure({ code: "Unauthorized", message })).toBe(cause);
  });

  it("classifies the failures the product's own mapping tables build", () => {
    const svc = { serviceAccount: "svc@contoso.com", target: "jane@contoso.com" };
    expect(classifyFailure(failure("ErrorImpersonateUserDenied", svc))).toBe("impersonation-scope");
    const alias = failure("ErrorNonPrimarySmtpAddress", svc, { Primary: "jane.doe@contoso.com" });
    expect(alias.primaryAddress).toBe("jane.doe@contoso.com");
    expect(classifyFailure(alias)).toBe("mailbox-alias");
    expect(classifyFailure(failure("ErrorServerBusy", svc, { BackOffMilliseconds: "200" }))).toBe(
      "throttled",
    );
    expect(classifyFailure(failure("TlsError", svc))).toBe("network-tls");
    expect(classifyFailure(tokenFailure("OAuthMfaRequired", "svc@contoso.com"))).toBe(
      "mfa-conditional-access",
    );
    expect(classifyFailure(appTokenFailure("AppSecretInvalid", "app"))).toBe("credentials-secret");
    const graph403 = mapGraphFailure(
      {
        answer: {
          status: 403,
          headers: {},
          body: '{"error":{"code":"ErrorAccessDenied","message":"Access is denied."}}',
        },
      },
      { clientId: "app", target: "jane@contoso.com" },
    );
    // Without the access type, the Graph wording ("denied app") still tells an app's scope.
    expect(classifyFailure(graph403)).toBe("app-scope");
    expect(classifyFailure({ ...graph403, accessType: "graph-app-only" })).toBe("app-scope");
    const graph429 = mapGraphFailure(
      { answer: { status: 429, headers: { "retry-after": "3" }, body: "" } },
      { clientId: "app" },
    );
    expect(classifyFailure(graph429)).toBe("throttled");
  });
});

describe("classifySyncErrors", () => {
  it("reads codes as data: names of Object.prototype are unknown codes (found by the route fuzzer)", () => {
    expect(classifySyncErrors([{ code: "constructor", message: "ref" }])).toBe("sync-service");
    expect(classifyFailure({ code: "toString" })).toBe("other");
    expect(classifyFailure({ code: "__proto__", accessType: "ews-app-only" })).toBe("other");
  });

  it("is null for a clean session, the first known cause, else sync-service", () => {
    expect(classifySyncErrors([])).toBeNull();
    expect(classifySyncErrors(null)).toBeNull();
    expect(
      classifySyncErrors([
        { code: "ErrorItemNotFound", message: "deleted meanwhile" },
        { code: "ErrorServerBusy", message: "busy" },
      ]),
    ).toBe("throttled");
    expect(classifySyncErrors([{ code: "report_500", message: "" }])).toBe("sync-service");
    expect(classifySyncErrors([{ code: "SyncFailed", message: "AADSTS53003: blocked" }])).toBe(
      "mfa-conditional-access",
    );
  });
});

describe("CAUSE_ADVICE", () => {
  it("has a fix for every cause, and its first action among its actions", () => {
    for (const cause of failureCauses) {
      const advice = CAUSE_ADVICE[cause];
      expect(advice.fix.length).toBeGreaterThan(40);
      expect(advice.actions).toContain(advice.action);
    }
    expect(CAUSE_ADVICE["mailbox-alias"].action).toBe("replace-alias");
    expect(CAUSE_ADVICE["impersonation-scope"].powershell).toContain("-Role ApplicationImpersonation");
    expect(CAUSE_ADVICE["app-scope"].powershell).toMatch(
      /New-ServicePrincipal[\s\S]*New-ManagementScope[\s\S]*New-ManagementRoleAssignment -App/,
    );
    expect(CAUSE_ADVICE["ews-blocked"].powershell).toContain("-EwsAllowedAppIDs");
    expect(CAUSE_ADVICE["ews-blocked"].powershell).not.toContain("EnforceAllowList");
  });
});
