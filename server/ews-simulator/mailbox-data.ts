import { createHash } from "node:crypto";
import type { StoredAttachment, StoredItem } from "./stored-item";
import { changeKey, el, esc, makeId } from "./soap";
import type { ResolvedMailbox } from "./tenant";

/** A well-known folder of a simulated mailbox. */
export interface SimFolder {
  /** Distinguished id (`inbox`, `calendar`, `root`, ...). */
  key: string;
  displayName: string;
  folderClass: string;
  /** EWS element: Folder, CalendarFolder, ContactsFolder or TasksFolder. */
  element: string;
  parent: string | null;
}

/** The folder tree every simulated mailbox has. */
export const FOLDERS: readonly SimFolder[] = [
  { key: "root", displayName: "", folderClass: "", element: "Folder", parent: null },
  {
    key: "msgfolderroot",
    displayName: "Top of Information Store",
    folderClass: "IPF.Note",
    element: "Folder",
    parent: "root",
  },
  { key: "inbox", displayName: "Inbox", folderClass: "IPF.Note", element: "Folder", parent: "msgfolderroot" },
  {
    key: "calendar",
    displayName: "Calendar",
    folderClass: "IPF.Appointment",
    element: "CalendarFolder",
    parent: "msgfolderroot",
  },
  {
    key: "contacts",
    displayName: "Contacts",
    folderClass: "IPF.Contact",
    element: "ContactsFolder",
    parent: "msgfolderroot",
  },
  {
    key: "deleteditems",
    displayName: "Deleted Items",
    folderClass: "IPF.Note",
    element: "Folder",
    parent: "msgfolderroot",
  },
  {
    key: "drafts",
    displayName: "Drafts",
    folderClass: "IPF.Note",
    element: "Folder",
    parent: "msgfolderroot",
  },
  {
    key: "sentitems",
    displayName: "Sent Items",
    folderClass: "IPF.Note",
    element: "Folder",
    parent: "msgfolderroot",
  },
  {
    key: "tasks",
    displayName: "Tasks",
    folderClass: "IPF.Task",
    element: "TasksFolder",
    parent: "msgfolderroot",
  },
];

export const FOLDER_BY_KEY = new Map(FOLDERS.map((f) => [f.key, f]));

/** How many seeded items a mailbox has in a folder. */
export function itemCount(m: ResolvedMailbox, folder: string): number {
  const defaults = m.kind === "user" ? { inbox: 3, calendar: 2 } : { inbox: 0, calendar: 2 };
  const counts = m.items ?? defaults;
  if (folder === "inbox") return counts.inbox;
  if (folder === "calendar") return counts.calendar;
  return 0;
}

export function folderId(m: ResolvedMailbox, key: string): string {
  return makeId("F", m.index, key);
}

function childCount(key: string, deep: boolean): number {
  const direct = FOLDERS.filter((f) => f.parent === key);
  return deep ? direct.reduce((n, f) => n + 1 + childCount(f.key, true), 0) : direct.length;
}

/** Folders under `key`, one level or all levels deep. */
export function childFolders(key: string, deep: boolean): SimFolder[] {
  const direct = FOLDERS.filter((f) => f.parent === key);
  return deep ? direct.flatMap((f) => [f, ...childFolders(f.key, true)]) : direct;
}

/** `IdOnly`, `Default` or `AllProperties`, as in BaseShape. */
export type Shape = "IdOnly" | "Default" | "AllProperties";

/** An `t:ExtendedFieldURI` asked for: its attributes as sent, and the property tag when it names one. */
export interface ExtendedField {
  attributes: Record<string, string>;
  tag?: number;
}

/** What a FolderShape / ItemShape asks for: a base shape plus AdditionalProperties. */
export interface PropertySelection {
  base: Shape;
  /** FieldURI values of AdditionalProperties (`item:Subject`, `folder:DisplayName`, ...). */
  fields: Set<string>;
  extended: ExtendedField[];
  bodyType: "Best" | "HTML" | "Text";
}

/** A selection from a bare base shape (no AdditionalProperties). */
export function baseSelection(base: Shape): PropertySelection {
  return { base, fields: new Set(), extended: [], bodyType: "Best" };
}

const RIGHTS =
  "<t:EffectiveRights><t:CreateAssociated>true</t:CreateAssociated><t:CreateContents>true</t:CreateContents>" +
  "<t:CreateHierarchy>true</t:CreateHierarchy><t:Delete>true</t:Delete><t:Modify>true</t:Modify><t:Read>true</t:Read>" +
  "<t:ViewPrivateItems>true</t:ViewPrivateItems></t:EffectiveRights>";

const FOLDER_DEFAULT = new Set([
  "folder:DisplayName",
  "folder:TotalCount",
  "folder:ChildFolderCount",
  "folder:UnreadCount",
]);
const FOLDER_ALL = new Set([
  ...FOLDER_DEFAULT,
  "folder:ParentFolderId",
  "folder:FolderClass",
  "folder:EffectiveRights",
]);

function wanted(sel: PropertySelection, defaults: Set<string>, all: Set<string>, uri: string): boolean {
  if (sel.fields.has(uri)) return true;
  if (sel.base === "AllProperties") return all.has(uri);
  return sel.base === "Default" && defaults.has(uri);
}

function extendedXml(sel: PropertySelection, values: Map<number, string | number>): string {
  return sel.extended
    .filter((e) => e.tag !== undefined && values.has(e.tag))
    .map((e) => {
      const attrs = Object.entries(e.attributes)
        .map(([k, v]) => ` ${k}="${esc(v)}"`)
        .join("");
      return `<t:ExtendedProperty><t:ExtendedFieldURI${attrs}/>${el("t:Value", values.get(e.tag!))}</t:ExtendedProperty>`;
    })
    .join("");
}

/** Item counts of a folder as the store knows them. */
export interface FolderCounts {
  total: number;
  unread: number;
}

/**
 * A folder element in the order of the EWS schema (BaseFolderType, then FolderType), with the
 * properties of the base shape plus AdditionalProperties (FieldURI and ExtendedFieldURI).
 */
export function folderXml(
  m: ResolvedMailbox,
  f: SimFolder,
  shape: Shape | PropertySelection,
  counts: FolderCounts = {
    total: itemCount(m, f.key),
    unread: f.key === "inbox" ? Math.min(1, itemCount(m, f.key)) : 0,
  },
): string {
  const sel = typeof shape === "string" ? baseSelection(shape) : shape;
  const want = (uri: string) => wanted(sel, FOLDER_DEFAULT, FOLDER_ALL, uri);
  const id = folderId(m, f.key);
  let xml = `<t:${f.element}><t:FolderId Id="${id}" ChangeKey="${changeKey(id)}"/>`;
  if (want("folder:ParentFolderId") && f.parent) {
    const pid = folderId(m, f.parent);
    xml += `<t:ParentFolderId Id="${pid}" ChangeKey="${changeKey(pid)}"/>`;
  }
  if (want("folder:FolderClass") && f.folderClass) xml += el("t:FolderClass", f.folderClass);
  if (want("folder:DisplayName")) xml += `<t:DisplayName>${esc(f.displayName)}</t:DisplayName>`;
  if (want("folder:TotalCount")) xml += el("t:TotalCount", counts.total);
  if (want("folder:ChildFolderCount")) xml += el("t:ChildFolderCount", childCount(f.key, false));
  // PR_CONTAINER_CLASS (0x3613), PR_CONTENT_COUNT (0x3602), PR_CONTENT_UNREAD (0x3603), PR_DISPLAY_NAME (0x3001).
  const ext = new Map<number, string | number>([
    [0x3602, counts.total],
    [0x3603, counts.unread],
    [0x3001, f.displayName],
  ]);
  if (f.folderClass) ext.set(0x3613, f.folderClass);
  xml += extendedXml(sel, ext);
  if (want("folder:EffectiveRights")) xml += RIGHTS;
  if (f.element === "Folder" && want("folder:UnreadCount")) xml += el("t:UnreadCount", counts.unread);
  return `${xml}</t:${f.element}>`;
}

/** A seeded item: messages in the Inbox, appointments in the Calendar. */
export interface SimItem {
  id: string;
  subject: string;
  /** Received time for messages, start for appointments (ISO, whole seconds). */
  when: string;
  end?: string;
}

const DAY = 86_400_000;

/** The seeded items of one folder, newest first for messages, by start for appointments. */
export function folderItems(m: ResolvedMailbox, folder: string, now = Date.now()): SimItem[] {
  const n = itemCount(m, folder);
  const today = Math.floor(now / DAY) * DAY;
  const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
  const items: SimItem[] = [];
  for (let i = 0; i < n; i++) {
    if (folder === "calendar") {
      const start = today + i * DAY + 10 * 3_600_000;
      items.push({
        id: makeId("I", m.index, folder, i),
        subject: `Meeting ${i + 1}`,
        when: iso(start),
        end: iso(start + 1_800_000),
      });
    } else {
      items.push({
        id: makeId("I", m.index, folder, i),
        subject: `Welcome message ${i + 1}`,
        when: iso(today - i * 3_600_000),
      });
    }
  }
  return items;
}

/** The ChangeKey of an item's current version (a new one after every update). */
export function itemChangeKey(item: { id: string; version: number }): string {
  const digest = createHash("sha256").update(`${item.id}:${item.version}`).digest("base64").slice(0, 16);
  return `CQAAABYA${digest}`;
}

const ITEM_FIND_DEFAULT = new Set([
  "item:ParentFolderId",
  "item:ItemClass",
  "item:Subject",
  "item:Sensitivity",
  "item:DateTimeReceived",
  "item:Size",
  "item:Importance",
  "item:IsDraft",
  "item:HasAttachments",
  "message:From",
  "message:IsRead",
  "calendar:Start",
  "calendar:End",
  "calendar:IsAllDayEvent",
  "calendar:LegacyFreeBusyStatus",
  "calendar:Location",
  "calendar:Organizer",
]);
/** GetItem's Default shape adds the body, attachments and recipients to FindItem's. */
const ITEM_GET_DEFAULT = new Set([
  ...ITEM_FIND_DEFAULT,
  "item:Body",
  "item:Attachments",
  "item:DateTimeSent",
  "item:DateTimeCreated",
  "item:DisplayTo",
  "message:ToRecipients",
  "message:InternetMessageId",
  "calendar:UID",
  "calendar:IsMeeting",
]);
const ITEM_ALL = new Set([...ITEM_GET_DEFAULT, "item:LastModifiedTime"]);

function personXml(p: { name: string; address: string }): string {
  return (
    `<t:Mailbox>${el("t:Name", p.name)}${el("t:EmailAddress", p.address)}` +
    `<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>`
  );
}

function bodyXml(item: StoredItem, type: PropertySelection["bodyType"]): string {
  if (type === "HTML") {
    return `<t:Body BodyType="HTML">${esc(`<html><body><p>${esc(item.body)}</p></body></html>`)}</t:Body>`;
  }
  return `<t:Body BodyType="Text">${esc(item.body)}</t:Body>`;
}

/** The `t:Attachments` content of an item (file attachments without their content). */
export function attachmentXml(a: StoredAttachment, content: boolean): string {
  const size = Buffer.from(a.content, "base64").length;
  return (
    `<t:FileAttachment><t:AttachmentId Id="${a.id}"/>${el("t:Name", a.name)}${el("t:ContentType", a.contentType)}` +
    `${el("t:Size", size)}<t:IsInline>false</t:IsInline><t:IsContactPhoto>false</t:IsContactPhoto>` +
    `${content ? el("t:Content", a.content) : ""}</t:FileAttachment>`
  );
}

function itemSize(item: StoredItem): number {
  return 1024 + Buffer.byteLength(item.body) + item.attachments.reduce((n, a) => n + a.content.length, 0);
}

/**
 * An item element (Message or CalendarItem) in schema order (ItemType, then the derived type), with the
 * base shape's properties (FindItem's or GetItem's Default set) plus AdditionalProperties.
 */
export function itemXml(
  m: ResolvedMailbox,
  item: StoredItem,
  shape: Shape | PropertySelection,
  operation: "find" | "get" = "find",
): string {
  const sel = typeof shape === "string" ? baseSelection(shape) : shape;
  const defaults = operation === "get" ? ITEM_GET_DEFAULT : ITEM_FIND_DEFAULT;
  const want = (uri: string) => wanted(sel, defaults, ITEM_ALL, uri);
  const appointment = item.kind === "appointment";
  const tag = appointment ? "t:CalendarItem" : "t:Message";
  let xml = `<${tag}><t:ItemId Id="${item.id}" ChangeKey="${itemChangeKey(item)}"/>`;
  const pid = folderId(m, item.folder);
  if (want("item:ParentFolderId")) xml += `<t:ParentFolderId Id="${pid}" ChangeKey="${changeKey(pid)}"/>`;
  if (want("item:ItemClass")) xml += el("t:ItemClass", appointment ? "IPM.Appointment" : "IPM.Note");
  if (want("item:Subject")) xml += el("t:Subject", item.subject);
  if (want("item:Sensitivity")) xml += el("t:Sensitivity", "Normal");
  if (want("item:Body")) xml += bodyXml(item, sel.bodyType);
  if (want("item:Attachments") && item.attachments.length > 0) {
    xml += `<t:Attachments>${item.attachments.map((a) => attachmentXml(a, false)).join("")}</t:Attachments>`;
  }
  if (want("item:DateTimeReceived")) xml += el("t:DateTimeReceived", item.received);
  if (want("item:Size")) xml += el("t:Size", itemSize(item));
  if (want("item:Importance")) xml += el("t:Importance", "Normal");
  if (want("item:IsDraft")) xml += el("t:IsDraft", String(item.isDraft));
  if (want("item:DateTimeSent")) xml += el("t:DateTimeSent", item.received);
  if (want("item:DateTimeCreated")) xml += el("t:DateTimeCreated", item.received);
  if (want("item:DisplayTo")) xml += el("t:DisplayTo", item.to.map((p) => p.name).join("; "));
  if (want("item:HasAttachments")) xml += el("t:HasAttachments", String(item.attachments.length > 0));
  // PR_SUBJECT (0x0037), PR_MESSAGE_SIZE (0x0E08), PR_BODY (0x1000), PR_MESSAGE_DELIVERY_TIME (0x0E06).
  xml += extendedXml(
    sel,
    new Map<number, string | number>([
      [0x0037, item.subject],
      [0x0e08, itemSize(item)],
      [0x1000, item.body],
      [0x0e06, item.received],
    ]),
  );
  if (want("item:LastModifiedTime")) xml += el("t:LastModifiedTime", item.lastModified);
  if (appointment) {
    if (want("calendar:UID")) xml += el("t:UID", Buffer.from(item.id, "base64").toString("hex").slice(0, 64));
    if (want("calendar:Start")) xml += el("t:Start", item.start);
    if (want("calendar:End")) xml += el("t:End", item.end);
    if (want("calendar:IsAllDayEvent")) xml += el("t:IsAllDayEvent", "false");
    if (want("calendar:LegacyFreeBusyStatus")) xml += el("t:LegacyFreeBusyStatus", "Busy");
    if (want("calendar:Location")) xml += el("t:Location", item.location ?? "");
    if (want("calendar:IsMeeting")) xml += el("t:IsMeeting", String(item.to.length > 1));
    if (want("calendar:Organizer")) xml += `<t:Organizer>${personXml(item.from)}</t:Organizer>`;
  } else {
    if (want("message:ToRecipients") && item.to.length > 0) {
      xml += `<t:ToRecipients>${item.to.map(personXml).join("")}</t:ToRecipients>`;
    }
    if (want("message:From")) xml += `<t:From>${personXml(item.from)}</t:From>`;
    if (want("message:InternetMessageId")) {
      xml += el("t:InternetMessageId", `<${createHash("sha1").update(item.id).digest("hex")}@contoso.com>`);
    }
    if (want("message:IsRead")) xml += el("t:IsRead", String(item.isRead));
  }
  return `${xml}</${tag}>`;
}

/** `t:Mailbox` with Name, EmailAddress, RoutingType, MailboxType. */
export function mailboxXml(m: ResolvedMailbox, mailboxType = "Mailbox"): string {
  return (
    `<t:Mailbox>${el("t:Name", m.displayName)}${el("t:EmailAddress", m.primarySmtpAddress)}` +
    `<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>${mailboxType}</t:MailboxType></t:Mailbox>`
  );
}
