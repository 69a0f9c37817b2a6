import { getAttachment } from "./attachments";
import { getUserAvailability } from "./availability";
import { convertId } from "./convert-id";
import { findFolder, getFolder, syncFolderHierarchy } from "./folders";
import { createItem, deleteItem, updateItem } from "./item-changes";
import { findItem, getItem } from "./items";
import { syncFolderItems } from "./sync";
import { getRoomLists, getRooms, resolveNames } from "./directory";
import { getPasswordExpirationDate } from "./password-expiration";
import type { OperationHandler } from "./context";

export type { OperationContext, OperationHandler } from "./context";

/** The EWS operations the simulator answers, by request element name. */
export const OPERATIONS: Record<string, OperationHandler> = {
  GetFolder: getFolder,
  FindFolder: findFolder,
  FindItem: findItem,
  GetItem: getItem,
  SyncFolderItems: syncFolderItems,
  SyncFolderHierarchy: syncFolderHierarchy,
  GetAttachment: getAttachment,
  CreateItem: createItem,
  UpdateItem: updateItem,
  DeleteItem: deleteItem,
  GetUserAvailabilityRequest: getUserAvailability,
  ConvertId: convertId,
  ResolveNames: resolveNames,
  GetRoomLists: getRoomLists,
  GetRooms: getRooms,
  GetPasswordExpirationDate: getPasswordExpirationDate,
};

/** Operations that touch no mailbox (directory lookups): a target mailbox is not required. */
export const DIRECTORY_OPERATIONS = new Set([
  "ResolveNames",
  "GetRoomLists",
  "GetRooms",
  "GetUserAvailabilityRequest",
  "ConvertId",
  "GetPasswordExpirationDate",
]);

/** Real EWS operations the simulator does not implement (answered with ErrorInvalidRequest). */
export const KNOWN_EWS_OPERATIONS = new Set([
  "MoveItem",
  "CopyItem",
  "SendItem",
  "CreateFolder",
  "UpdateFolder",
  "DeleteFolder",
  "EmptyFolder",
  "Subscribe",
  "Unsubscribe",
  "GetEvents",
  "GetStreamingEvents",
  "GetUserOofSettings",
  "SetUserOofSettings",
  "ExpandDL",
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
  "ArchiveItem",
  "MarkAllItemsAsRead",
  "FindPeople",
  "GetAppManifests",
]);
