import { EwsFault } from "../faults";
import { itemChangeKey } from "../mailbox-data";
import type { ItemPatch, NewItem, StoredItem, StoredPerson } from "../mailbox-store";
import {
  attr,
  child,
  children,
  elementNames,
  errorMessage,
  responseMessages,
  successMessage,
  text,
  type XmlNode,
} from "../soap";
import type { ResolvedMailbox } from "../tenant";
import { folderRefs, resolveItemRef, type OperationContext } from "./context";

function idOnly(item: StoredItem): string {
  const tag = item.kind === "appointment" ? "t:CalendarItem" : "t:Message";
  return `<${tag}><t:ItemId Id="${item.id}" ChangeKey="${itemChangeKey(item)}"/></${tag}>`;
}

function people(node: XmlNode | undefined, wrapper?: string): StoredPerson[] {
  const mailboxes = wrapper
    ? children(node, wrapper).map((a) => child(a, "Mailbox"))
    : children(node, "Mailbox");
  return mailboxes
    .map((m) => ({
      address: (text(m, "EmailAddress") ?? "").trim().toLowerCase(),
      name: text(m, "Name") ?? text(m, "EmailAddress") ?? "",
    }))
    .filter((p) => p.address !== "");
}

function isoOrUndefined(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function badDate(field: string): EwsFault {
  return new EwsFault(
    "ErrorSchemaValidation",
    undefined,
    `The request failed schema validation: ${field} is not a dateTime.`,
  );
}

/**
 * CreateItem for messages and calendar items. Messages: SaveOnly keeps a draft (Drafts or
 * SavedItemFolderId); SendOnly and SendAndSaveCopy deliver to the tenant's recipients' Inboxes (the copy
 * goes to Sent Items) and answer with an empty `m:Items`. Calendar items are saved in the Calendar and,
 * with SendToAllAndSaveCopy / SendOnlyToAll, added to attendees' calendars (rooms included).
 */
export function createItem(ctx: OperationContext, request: XmlNode): string {
  const items = child(request, "Items");
  const kinds = elementNames(items).flatMap((name) => children(items, name).map((node) => ({ name, node })));
  if (kinds.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: Items is empty.",
    );
  }
  const saved = child(request, "SavedItemFolderId");
  const savedRef = saved ? folderRefs(ctx, saved)[0] : undefined;
  const disposition = attr(request, "MessageDisposition");
  const invitations = attr(request, "SendMeetingInvitations") ?? "SendToNone";
  const messages = kinds.map(({ name, node }) => {
    if (name !== "Message" && name !== "CalendarItem") {
      return errorMessage(
        "CreateItem",
        {
          code: "ErrorInvalidRequest",
          message: `The request is invalid. (The simulator creates Message and CalendarItem only, not ${name}.)`,
        },
        "<m:Items/>",
      );
    }
    if (savedRef && "error" in savedRef) return errorMessage("CreateItem", savedRef.error, "<m:Items/>");
    const mailbox = savedRef?.mailbox ?? ctx.target;
    if (!mailbox) {
      return errorMessage(
        "CreateItem",
        {
          code: "ErrorMissingEmailAddress",
          message:
            "When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.",
        },
        "<m:Items/>",
      );
    }
    const body = text(node, "Body") ?? "";
    const subject = text(node, "Subject") ?? "";
    const self = { name: mailbox.displayName, address: mailbox.primarySmtpAddress };
    if (name === "Message") {
      if (!disposition) {
        return errorMessage(
          "CreateItem",
          {
            code: "ErrorMessageDispositionRequired",
            message: "MessageDisposition attribute is required.",
          },
          "<m:Items/>",
        );
      }
      const to = people(child(node, "ToRecipients"));
      const message: NewItem = {
        folder: "drafts",
        kind: "message",
        subject,
        body,
        from: self,
        to,
        isRead: true,
      };
      if (disposition === "SaveOnly") {
        const item = ctx.store.add(mailbox, {
          ...message,
          folder: savedRef?.folder.key ?? "drafts",
          isDraft: true,
        });
        return successMessage("CreateItem", `<m:Items>${idOnly(item)}</m:Items>`);
      }
      for (const recipient of to) {
        deliver(ctx, recipient.address, { ...message, folder: "inbox", isRead: false });
      }
      if (disposition === "SendAndSaveCopy") {
        ctx.store.add(mailbox, { ...message, folder: savedRef?.folder.key ?? "sentitems" });
      }
      return successMessage("CreateItem", "<m:Items/>");
    }
    const start = isoOrUndefined(text(node, "Start"));
    const end = isoOrUndefined(text(node, "End"));
    if (!start || !end) throw badDate(start ? "End" : "Start");
    const attendees = [
      ...people(child(node, "RequiredAttendees"), "Attendee"),
      ...people(child(node, "OptionalAttendees"), "Attendee"),
      ...people(child(node, "Resources"), "Attendee"),
    ];
    const appointment: NewItem = {
      folder: "calendar",
      kind: "appointment",
      subject,
      body,
      from: self,
      to: [self, ...attendees],
      start,
      end,
      location: text(node, "Location") ?? "",
      isRead: true,
    };
    const item = ctx.store.add(mailbox, { ...appointment, folder: savedRef?.folder.key ?? "calendar" });
    if (invitations !== "SendToNone") {
      for (const a of attendees) deliver(ctx, a.address, appointment);
    }
    return successMessage("CreateItem", `<m:Items>${idOnly(item)}</m:Items>`);
  });
  return responseMessages("CreateItem", messages.join(""));
}

/** Puts a copy of an item in a tenant mailbox (mail delivery); unknown addresses leave the tenant. */
function deliver(ctx: OperationContext, address: string, item: NewItem): void {
  const mailbox: ResolvedMailbox | undefined = ctx.index.byAddress.get(address);
  if (mailbox) ctx.store.add(mailbox, item);
}

const SETTABLE: Record<string, (value: string) => ItemPatch | undefined> = {
  "item:Subject": (v) => ({ subject: v }),
  "item:Body": (v) => ({ body: v }),
  "message:IsRead": (v) => (v === "true" || v === "false" ? { isRead: v === "true" } : undefined),
  "calendar:Location": (v) => ({ location: v }),
  "calendar:Start": (v) => (isoOrUndefined(v) ? { start: isoOrUndefined(v) } : undefined),
  "calendar:End": (v) => (isoOrUndefined(v) ? { end: isoOrUndefined(v) } : undefined),
};

/**
 * UpdateItem: SetItemField on subject, body, read flag, location, start and end. A stale ChangeKey with
 * ConflictResolution NeverOverwrite gives ErrorIrresolvableConflict; every applied change gives the item a
 * new ChangeKey (and SyncFolderItems reports it as an Update).
 */
export function updateItem(ctx: OperationContext, request: XmlNode): string {
  const changes = children(child(request, "ItemChanges"), "ItemChange");
  if (changes.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: ItemChanges is empty.",
    );
  }
  const conflict = attr(request, "ConflictResolution") ?? "AutoResolve";
  const messages = changes.map((change) => {
    const idNode = child(change, "ItemId");
    const ref = resolveItemRef(ctx, idNode);
    if ("error" in ref) return errorMessage("UpdateItem", ref.error, "<m:Items/>");
    const sentKey = attr(idNode, "ChangeKey");
    if (conflict === "NeverOverwrite" && sentKey && sentKey !== itemChangeKey(ref.item)) {
      return errorMessage(
        "UpdateItem",
        {
          code: "ErrorIrresolvableConflict",
          message:
            "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
        },
        "<m:Items/>",
      );
    }
    let patch: ItemPatch = {};
    for (const set of children(child(change, "Updates"), "SetItemField")) {
      const uri = attr(child(set, "FieldURI"), "FieldURI") ?? "";
      const holder = child(set, "Message") ?? child(set, "CalendarItem") ?? child(set, "Item");
      const field = uri.split(":")[1] ?? "";
      const value = text(holder, field);
      const apply = Object.hasOwn(SETTABLE, uri) ? SETTABLE[uri] : undefined;
      const part = apply && value !== undefined ? apply(value) : undefined;
      if (!part) {
        return errorMessage(
          "UpdateItem",
          {
            code: "ErrorInvalidPropertySet",
            message: `The property ${uri || "(none)"} can't be set by the simulator's UpdateItem.`,
          },
          "<m:Items/>",
        );
      }
      patch = { ...patch, ...part };
    }
    const item = ctx.store.update(ref.mailbox, ref.item, patch);
    return successMessage(
      "UpdateItem",
      `<m:Items>${idOnly(item)}</m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>`,
    );
  });
  return responseMessages("UpdateItem", messages.join(""));
}

/** DeleteItem: HardDelete and SoftDelete remove the item; MoveToDeletedItems moves it to Deleted Items. */
export function deleteItem(ctx: OperationContext, request: XmlNode): string {
  const ids = children(child(request, "ItemIds"), "ItemId");
  if (ids.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: ItemIds is empty.",
    );
  }
  const type = attr(request, "DeleteType");
  if (type !== "HardDelete" && type !== "SoftDelete" && type !== "MoveToDeletedItems") {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: DeleteType is required.",
    );
  }
  const messages = ids.map((node) => {
    const ref = resolveItemRef(ctx, node);
    if ("error" in ref) return errorMessage("DeleteItem", ref.error);
    if (type === "MoveToDeletedItems" && ref.item.folder !== "deleteditems") {
      ctx.store.move(ref.mailbox, ref.item, "deleteditems");
    } else {
      ctx.store.remove(ref.mailbox, ref.item);
    }
    return successMessage("DeleteItem", "");
  });
  return responseMessages("DeleteItem", messages.join(""));
}
