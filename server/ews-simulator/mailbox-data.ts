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

const RIGHTS =
  "<t:EffectiveRights><t:CreateAssociated>true</t:CreateAssociated><t:CreateContents>true</t:CreateContents>" +
  "<t:CreateHierarchy>true</t:CreateHierarchy><t:Delete>true</t:Delete><t:Modify>true</t:Modify><t:Read>true</t:Read>" +
  "<t:ViewPrivateItems>true</t:ViewPrivateItems></t:EffectiveRights>";

/** A folder element in the order of the EWS schema (BaseFolderType, then FolderType). */
export function folderXml(m: ResolvedMailbox, f: SimFolder, shape: Shape): string {
  const id = folderId(m, f.key);
  let xml = `<t:${f.element}><t:FolderId Id="${id}" ChangeKey="${changeKey(id)}"/>`;
  if (shape !== "IdOnly") {
    if (shape === "AllProperties" && f.parent) {
      const pid = folderId(m, f.parent);
      xml += `<t:ParentFolderId Id="${pid}" ChangeKey="${changeKey(pid)}"/>`;
    }
    if (shape === "AllProperties" && f.folderClass) xml += el("t:FolderClass", f.folderClass);
    xml += `<t:DisplayName>${esc(f.displayName)}</t:DisplayName>`;
    xml += el("t:TotalCount", itemCount(m, f.key)) + el("t:ChildFolderCount", childCount(f.key, false));
    if (shape === "AllProperties") xml += RIGHTS;
    if (f.element === "Folder") {
      xml += el("t:UnreadCount", f.key === "inbox" ? Math.min(1, itemCount(m, f.key)) : 0);
    }
  }
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

/** An item element (Message or CalendarItem) in schema order (ItemType, then the derived type). */
export function itemXml(m: ResolvedMailbox, folder: string, item: SimItem, shape: Shape): string {
  const isAppointment = folder === "calendar";
  const tag = isAppointment ? "t:CalendarItem" : "t:Message";
  let xml = `<${tag}><t:ItemId Id="${item.id}" ChangeKey="${changeKey(item.id)}"/>`;
  if (shape === "IdOnly") return `${xml}</${tag}>`;
  const pid = folderId(m, folder);
  xml +=
    `<t:ParentFolderId Id="${pid}" ChangeKey="${changeKey(pid)}"/>` +
    el("t:ItemClass", isAppointment ? "IPM.Appointment" : "IPM.Note") +
    el("t:Subject", item.subject) +
    el("t:Sensitivity", "Normal") +
    el("t:DateTimeReceived", item.when) +
    el("t:Size", 2048) +
    el("t:Importance", "Normal") +
    el("t:IsDraft", "false") +
    el("t:HasAttachments", "false");
  if (isAppointment) {
    xml +=
      el("t:Start", item.when) +
      el("t:End", item.end) +
      el("t:IsAllDayEvent", "false") +
      el("t:LegacyFreeBusyStatus", "Busy") +
      el("t:Location", "") +
      `<t:Organizer>${mailboxXml(m)}</t:Organizer>`;
  } else {
    xml +=
      `<t:From>${mailboxXml(m)}</t:From>` + el("t:IsRead", item.subject.endsWith(" 1") ? "false" : "true");
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
