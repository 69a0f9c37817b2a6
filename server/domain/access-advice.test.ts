import { describe, expect, it } from "vitest";
import { accessEnvironment, adviceFor } from "./access-advice";
import { CAUSE_ADVICE } from "./failure-cause";

const ews = (url: string) => JSON.stringify({ ewsUrl: url });

describe("accessEnvironment", () => {
  it.each([
    ["ews-basic-impersonation", ews("https://mail.contoso.com/EWS/Exchange.asmx"), "on-premises"],
    ["ews-oauth-impersonation", ews("https://outlook.office365.com/EWS/Exchange.asmx"), "exchange-online"],
    ["ews-oauth-impersonation", "{}", "exchange-online"],
    ["ews-basic-impersonation", "{}", null],
    ["ews-basic-impersonation", "not json", null],
    ["ews-app-only", "{}", "app-only-ews"],
    ["graph-app-only", "{}", "app-only-graph"],
    ["something-else", "{}", null],
  ])("%s with %s is %s", (type, settings, expected) => {
    expect(accessEnvironment(type, settings)).toBe(expected);
  });
});

describe("adviceFor", () => {
  it("gives on-premises impersonation its role assignment with a recipient write scope", () => {
    expect(adviceFor("impersonation-scope", "on-premises").powershell).toMatch(
      /New-ManagementRoleAssignment .*-Role ApplicationImpersonation -User "<service account>" -CustomRecipientWriteScope/,
    );
  });

  it("gives app-only access RBAC for Applications with the roles of its API, assigned to the service principal", () => {
    const ewsApp = adviceFor("app-scope", "app-only-ews").powershell!;
    expect(ewsApp).toContain(
      `New-ManagementRoleAssignment -App "<enterprise app object id>" -Role "Application EWS.AccessAsApp" -CustomResourceScope`,
    );
    expect(ewsApp).not.toContain("Application Mail.ReadWrite");
    const graph = adviceFor("app-scope", "app-only-graph").powershell!;
    expect(graph).toContain(`-Role "Application Mail.ReadWrite"`);
    expect(graph).toContain(`-Role "Application Calendars.ReadWrite"`);
    expect(graph).not.toContain("EWS.AccessAsApp");
    expect(graph).toContain(`Test-ServicePrincipalAuthorization -Identity "<enterprise app object id>"`);
  });

  it("unblocks EWS on-premises with EwsEnabled (no Exchange Online allow list), in Exchange Online with EwsAllowedAppIDs", () => {
    const onPrem = adviceFor("ews-blocked", "on-premises");
    expect(onPrem.powershell).toContain("Set-OrganizationConfig -EwsEnabled $true");
    expect(onPrem.powershell).toContain(`Set-CASMailbox "<user>" -EwsEnabled $true`);
    expect(onPrem.powershell).not.toContain("EwsAllowedAppIDs");
    for (const environment of ["exchange-online", "app-only-ews"] as const) {
      const online = adviceFor("ews-blocked", environment).powershell!;
      // The list is read back only with -RetrieveEwsOperationAccessPolicy and written as one comma-separated value.
      expect(online).toContain("Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy");
      expect(online).toContain(`Set-OrganizationConfig -EwsAllowedAppIDs ($ids -join ",")`);
      expect(online).not.toContain("EnforceAllowList");
    }
  });

  it("keeps the actions of the cause and falls back to the advice for every environment", () => {
    expect(adviceFor("ews-blocked", "on-premises").actions).toEqual(CAUSE_ADVICE["ews-blocked"].actions);
    expect(adviceFor("ews-blocked", null)).toBe(CAUSE_ADVICE["ews-blocked"]);
    expect(adviceFor("ews-blocked", "app-only-graph")).toBe(CAUSE_ADVICE["ews-blocked"]);
    expect(adviceFor("throttled", "on-premises")).toBe(CAUSE_ADVICE.throttled);
  });
});
