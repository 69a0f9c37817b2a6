import type { ServiceKeyScope } from "../../contract/sync";

/** What the EWS gateway does with one operation: forward it for a key with this scope, or never. */
export type EwsOperationRule = Extract<ServiceKeyScope, "ews:read" | "ews:write"> | "never";

/**
 * THE table of EWS operations the gateway knows, by the scope a service key needs for each. Anything not
 * listed is refused as well; "never" names the operations that no key may send whatever its scopes
 * (they change who can reach the mailbox, where its mail goes, or take the mailbox out wholesale), so
 * their refusal says so instead of naming a scope.
 */
export const EWS_OPERATIONS: Readonly<Record<string, EwsOperationRule>> = Object.freeze({
  // Reading: folders, items, attachments, directory look-ups, availability, notifications.
  GetFolder: "ews:read",
  FindFolder: "ews:read",
  FindItem: "ews:read",
  GetItem: "ews:read",
  SyncFolderHierarchy: "ews:read",
  SyncFolderItems: "ews:read",
  GetAttachment: "ews:read",
  ResolveNames: "ews:read",
  ExpandDL: "ews:read",
  GetUserAvailability: "ews:read",
  GetRoomLists: "ews:read",
  GetRooms: "ews:read",
  ConvertId: "ews:read",
  GetServerTimeZones: "ews:read",
  Subscribe: "ews:read",
  Unsubscribe: "ews:read",
  GetEvents: "ews:read",
  GetStreamingEvents: "ews:read",
  // Writing items and folders (a folder's permissions excepted, see PERMISSION_OPERATIONS).
  CreateItem: "ews:write",
  UpdateItem: "ews:write",
  DeleteItem: "ews:write",
  MoveItem: "ews:write",
  CopyItem: "ews:write",
  SendItem: "ews:write",
  CreateAttachment: "ews:write",
  DeleteAttachment: "ews:write",
  CreateFolder: "ews:write",
  UpdateFolder: "ews:write",
  MoveFolder: "ews:write",
  DeleteFolder: "ews:write",
  // Never, for any key: delegates, inbox rules, out-of-office, emptying folders, export and import.
  AddDelegate: "never",
  UpdateDelegate: "never",
  RemoveDelegate: "never",
  GetDelegate: "never",
  UpdateInboxRules: "never",
  GetInboxRules: "never",
  SetUserOofSettings: "never",
  EmptyFolder: "never",
  ExportItems: "never",
  UploadItems: "never",
});

/** Operations whose request may set a folder's permissions: a `PermissionSet` in them is refused. */
export const PERMISSION_OPERATIONS: ReadonlySet<string> = new Set(["CreateFolder", "UpdateFolder"]);

/** The SOAP headers a caller may send; the gateway adds `ExchangeImpersonation` itself. */
export const ALLOWED_SOAP_HEADERS: ReadonlySet<string> = new Set([
  "RequestServerVersion",
  "MailboxCulture",
  "TimeZoneContext",
  "DateTimePrecision",
]);

/**
 * Why an operation is refused for a key holding these scopes (aliases expanded), or undefined when the
 * key may send it. `needs` is the scope it lacks, "never", or "unlisted" for an operation not in the table.
 * @example operationRefusal("UpdateItem", ["ews:read"]) // { needs: "ews:write", message: "UpdateItem needs ..." }
 */
export function operationRefusal(
  operation: string,
  scopes: readonly ServiceKeyScope[],
): { needs: EwsOperationRule | "unlisted"; message: string } | undefined {
  const rule = Object.hasOwn(EWS_OPERATIONS, operation) ? EWS_OPERATIONS[operation] : undefined;
  if (rule === undefined) {
    return {
      needs: "unlisted",
      message: `The EWS gateway does not forward ${operation}: it is not one of the operations a sync service needs.`,
    };
  }
  if (rule === "never") {
    return {
      needs: "never",
      message: `The EWS gateway never forwards ${operation}, whatever the service key's scopes.`,
    };
  }
  if (!scopes.includes(rule)) {
    return {
      needs: rule,
      message: `${operation} needs a service key with the '${rule}' scope; this key lacks it.`,
    };
  }
  return undefined;
}
