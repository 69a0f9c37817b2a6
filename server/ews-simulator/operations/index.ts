import { findFolder, getFolder } from "./folders";
import { findItem } from "./items";
import { getRoomLists, getRooms, resolveNames } from "./directory";
import type { OperationHandler } from "./context";

export type { OperationContext, OperationHandler } from "./context";

/** The EWS operations the simulator answers, by request element name. */
export const OPERATIONS: Record<string, OperationHandler> = {
  GetFolder: getFolder,
  FindFolder: findFolder,
  FindItem: findItem,
  ResolveNames: resolveNames,
  GetRoomLists: getRoomLists,
  GetRooms: getRooms,
};

/** Operations that touch no mailbox (directory lookups): a target mailbox is not required. */
export const DIRECTORY_OPERATIONS = new Set(["ResolveNames", "GetRoomLists", "GetRooms"]);

/** Real EWS operations the simulator does not implement (answered with ErrorInvalidRequest). */
export const KNOWN_EWS_OPERATIONS = new Set([
  "GetItem",
  "CreateItem",
  "UpdateItem",
  "DeleteItem",
  "MoveItem",
  "CopyItem",
  "SendItem",
  "CreateFolder",
  "UpdateFolder",
  "DeleteFolder",
  "EmptyFolder",
  "SyncFolderItems",
  "SyncFolderHierarchy",
  "Subscribe",
  "Unsubscribe",
  "GetEvents",
  "GetStreamingEvents",
  "GetUserAvailability",
  "GetUserOofSettings",
  "SetUserOofSettings",
  "ExpandDL",
  "ConvertId",
  "GetAttachment",
  "CreateAttachment",
  "DeleteAttachment",
  "GetDelegate",
  "AddDelegate",
  "GetServerTimeZones",
  "GetInboxRules",
  "UpdateInboxRules",
  "GetUserConfiguration",
  "FindConversation",
  "GetConversationItems",
  "GetMailTips",
  "GetUserPhoto",
  "GetPasswordExpirationDate",
  "ArchiveItem",
  "MarkAllItemsAsRead",
  "FindPeople",
  "GetAppManifests",
]);
