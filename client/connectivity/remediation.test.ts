import { describe, expect, it } from "vitest";
import { splitRemediation } from "./remediation";

describe("splitRemediation", () => {
  it("groups consecutive cmdlet lines into one snippet after the prose", () => {
    const parts = splitRemediation(
      'Widen the scope. In the Exchange Management Shell:\nNew-ManagementScope -Name "Mailbox Sync"\nNew-ManagementRoleAssignment -Role ApplicationImpersonation -User "svc@contoso.com"\nCheck the current assignment with: Get-ManagementRoleAssignment -Role ApplicationImpersonation',
    );
    expect(parts).toEqual([
      { kind: "text", text: "Widen the scope. In the Exchange Management Shell:" },
      {
        kind: "code",
        text: 'New-ManagementScope -Name "Mailbox Sync"\nNew-ManagementRoleAssignment -Role ApplicationImpersonation -User "svc@contoso.com"',
      },
      { kind: "text", text: "Check the current assignment with:" },
      { kind: "code", text: "Get-ManagementRoleAssignment -Role ApplicationImpersonation" },
    ]);
  });

  it("keeps fenced blocks as they are and plain prose as text", () => {
    expect(splitRemediation("Run:\n```\n$m = Get-Mailbox x\n$m | fl\n```\nThen retry.")).toEqual([
      { kind: "text", text: "Run:" },
      { kind: "code", text: "$m = Get-Mailbox x\n$m | fl" },
      { kind: "text", text: "Then retry." },
    ]);
    expect(splitRemediation("Check the password of the service account.")).toEqual([
      { kind: "text", text: "Check the password of the service account." },
    ]);
  });
});
