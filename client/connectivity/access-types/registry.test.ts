import { describe, expect, it } from "vitest";
import { accessTypes } from "../../../contract/common";
import { ACCESS_TYPES, accessIdentity, accessTypeEntry, accessTypeOptions, GUIDE_ORDER } from ".";

describe("the client's access-type registry", () => {
  it("has one entry per access type of the contract, in the server's picklist order", () => {
    expect(Object.keys(ACCESS_TYPES)).toEqual([...accessTypes]);
    for (const id of accessTypes) {
      expect(ACCESS_TYPES[id].id).toBe(id);
      expect(typeof ACCESS_TYPES[id].Form).toBe("function");
    }
    expect([...GUIDE_ORDER].sort()).toEqual([...accessTypes].sort());
  });

  it("offers the setup guide's labels when the server's list is not there, and the server's when it is", () => {
    expect(accessTypeOptions(undefined).map((o) => o.label)).toEqual([
      "Microsoft Exchange basic authorization (EWS API) - Impersonated logon",
      "Microsoft 365 OAuth Logon (EWS API) - Impersonated logon",
      "Microsoft 365 app-only (EWS API)",
      "Microsoft 365 app-only (Graph API)",
    ]);
    expect(accessTypeOptions([{ id: "graph-app-only", label: "Graph", hint: "h" }])).toEqual([
      { id: "graph-app-only", label: "Graph", hint: "h" },
    ]);
  });

  it("has no entry for an id this build doesn't know", () => {
    expect(accessTypeEntry("imap-basic")).toBeUndefined();
    expect(accessTypeEntry("toString")).toBeUndefined();
    expect(accessTypeEntry("ews-app-only")?.api).toBe("ews");
  });

  it("names who reaches the mailboxes by type: the impersonating service account on EWS, the app when app-only", () => {
    expect(accessIdentity("ews-basic-impersonation").identity).toBe("the service account");
    expect(accessIdentity("ews-oauth-impersonation").testCaption).toMatch(/impersonates a user/);
    for (const type of ["ews-app-only", "graph-app-only"] as const) {
      expect(accessIdentity(type).identity).toBe("the app");
      expect(accessIdentity(type).reachedBy).not.toMatch(/impersonat/);
      expect(accessIdentity(type).testCaption).not.toMatch(/impersonat/);
    }
    expect(accessIdentity(null).identity).toBe("the service account or app");
  });
});
