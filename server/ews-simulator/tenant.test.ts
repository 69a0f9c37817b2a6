import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO, demoTenant } from "./demo-tenant";
import { indexTenant, loadTenantFile, parseTenant, scopeIncludes, TenantError } from "./tenant";

describe("tenant", () => {
  it("loads the shipped demo tenant file, which equals demoTenant()", async () => {
    const tenant = await loadTenantFile(new URL("./demo-tenant.json", import.meta.url).pathname);
    expect(tenant).toEqual(parseTenant(demoTenant()));
    const index = indexTenant(tenant);
    expect(index.byAddress.get(DEMO.alias)?.primarySmtpAddress).toBe(DEMO.user.address);
    expect(index.accounts.get(DEMO.serviceAccount.downLevel)?.logon).toBe(DEMO.serviceAccount.logon);
    expect(index.mailboxes.length).toBeGreaterThan(300);
  });

  it("reports every problem with its path", () => {
    const bad = {
      domains: [],
      mailboxes: [
        { primarySmtpAddress: "not-an-address", displayName: "X" },
        { primarySmtpAddress: "a@contoso.com", displayName: "A", aliases: ["b@contoso.com"] },
        { primarySmtpAddress: "b@contoso.com", displayName: "B" },
      ],
      roomLists: [{ address: "rl@contoso.com", displayName: "RL", rooms: ["ghost@contoso.com"] }],
      unknownKey: 1,
    };
    expect(() => parseTenant(bad, "tenant file x.json")).toThrow(TenantError);
    try {
      parseTenant(bad, "tenant file x.json");
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^Invalid tenant file x\.json:/);
      expect(message).toContain("domains");
      expect(message).toContain("mailboxes.0.primarySmtpAddress");
      expect(message).toContain("unknownKey");
    }
  });

  it("rejects a duplicate address and an unknown room", () => {
    const tenant = {
      domains: ["contoso.com"],
      mailboxes: [
        { primarySmtpAddress: "a@contoso.com", displayName: "A", aliases: ["b@contoso.com"] },
        { primarySmtpAddress: "b@contoso.com", displayName: "B" },
      ],
      roomLists: [{ address: "rl@contoso.com", displayName: "RL", rooms: ["ghost@contoso.com"] }],
    };
    expect(() => parseTenant(tenant)).toThrow(
      /b@contoso.com is already used[\s\S]*room ghost@contoso.com is not a mailbox/,
    );
  });

  it("fails clearly for a missing or non-JSON file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tenant-"));
    writeFileSync(join(dir, "bad.json"), "{ nope");
    await expect(loadTenantFile(join(dir, "bad.json"))).rejects.toThrow(/is not JSON/);
    await expect(loadTenantFile(join(dir, "missing.json"))).rejects.toThrow(/Cannot read tenant file/);
  });

  it("evaluates impersonation scopes", () => {
    const index = indexTenant(parseTenant(demoTenant({ users: 5 })));
    const jane = index.byAddress.get(DEMO.user.address)!;
    const blocked = index.byAddress.get(DEMO.blockedUser)!;
    const scope = { domains: ["contoso.com"], except: [DEMO.blockedUser] };
    expect([scopeIncludes(scope, jane), scopeIncludes(scope, blocked)]).toEqual([true, false]);
    expect(scopeIncludes([DEMO.alias], jane)).toBe(true);
    expect(scopeIncludes({ addresses: [DEMO.blockedUser] }, jane)).toBe(false);
    expect(scopeIncludes("all", blocked)).toBe(true);
    expect(scopeIncludes("none", jane)).toBe(false);
  });
});
