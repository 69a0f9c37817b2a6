import { describe, expect, it } from "vitest";
import { effectiveScopes } from "../../contract/sync";
import { EWS_OPERATIONS, operationRefusal } from "./ews-operations";

const NEVER = [
  "AddDelegate",
  "UpdateDelegate",
  "RemoveDelegate",
  "GetDelegate",
  "UpdateInboxRules",
  "GetInboxRules",
  "SetUserOofSettings",
  "EmptyFolder",
  "ExportItems",
  "UploadItems",
];

describe("the EWS operations table", () => {
  const everything = effectiveScopes(["ews:proxy"]);

  it("lets a read key read, and names ews:write when it tries to write", () => {
    expect(operationRefusal("SyncFolderItems", ["ews:read"])).toBeUndefined();
    expect(operationRefusal("CreateItem", ["ews:read"])).toEqual({
      needs: "ews:write",
      message: "CreateItem needs a service key with the 'ews:write' scope; this key lacks it.",
    });
    expect(operationRefusal("GetItem", ["ews:write"])?.needs).toBe("ews:read");
  });

  it.each(NEVER)("never forwards %s, even for a key with every EWS scope", (operation) => {
    expect(EWS_OPERATIONS[operation]).toBe("never");
    expect(operationRefusal(operation, everything)).toMatchObject({ needs: "never" });
  });

  it.each(["GetPasswordExpirationDate", "SetHoldOnMailboxes", "toString", "__proto__", "getfolder"])(
    "refuses %s, which the table doesn't list",
    (operation) => {
      expect(operationRefusal(operation, everything)).toMatchObject({ needs: "unlisted" });
    },
  );

  it("treats an ews:proxy key as ews:read + ews:write", () => {
    expect(everything).toEqual(expect.arrayContaining(["ews:read", "ews:write"]));
    for (const [operation, rule] of Object.entries(EWS_OPERATIONS)) {
      expect(operationRefusal(operation, everything) === undefined).toBe(rule !== "never");
    }
  });
});
