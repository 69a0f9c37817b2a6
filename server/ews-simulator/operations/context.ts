import type { Caller } from "../auth";
import {
  FOLDER_BY_KEY,
  type ExtendedField,
  type PropertySelection,
  type Shape,
  type SimFolder,
} from "../mailbox-data";
import type { MailboxStore, StoredItem } from "../mailbox-store";
import { attr, child, children, readId, text, type MessageError, type XmlNode } from "../soap";
import type { ResolvedMailbox, TenantIndex } from "../tenant";

/** What an operation handler gets for one request. */
export interface OperationContext {
  index: TenantIndex;
  caller: Caller;
  /** The mailbox the request acts on (impersonated, or the caller's own); undefined when none. */
  target: ResolvedMailbox | undefined;
  now: number;
  /** The mailboxes' items (seeded when first touched). */
  store: MailboxStore;
  /** An injected ErrorMailboxMoveInProgress for this call. */
  moveInProgress?: boolean;
}

/** An operation: request element in, response body fragment out (may throw EwsFault). */
export type OperationHandler = (ctx: OperationContext, request: XmlNode) => string;

/** A folder reference resolved to a mailbox and well-known folder, or a per-message error. */
export type FolderRef = { mailbox: ResolvedMailbox; folder: SimFolder } | { error: MessageError };

const NOT_FOUND: MessageError = {
  code: "ErrorFolderNotFound",
  message: "The specified folder could not be found in the store.",
};

/**
 * Resolves one `t:DistinguishedFolderId` (with or without `t:Mailbox`) or `t:FolderId`, with the
 * errors Exchange gives: ErrorMissingEmailAddress for an account without a mailbox,
 * ErrorNonExistentMailbox / ErrorNonPrimarySmtpAddress for the Mailbox element, ErrorMailboxMoveInProgress.
 */
export function resolveFolderRef(
  ctx: OperationContext,
  kind: "DistinguishedFolderId" | "FolderId",
  node: XmlNode,
): FolderRef {
  let mailbox: ResolvedMailbox | undefined;
  let folder: SimFolder | undefined;
  if (kind === "FolderId") {
    const decoded = readId(attr(node, "Id") ?? "");
    if (!decoded || decoded.kind !== "F") {
      return { error: { code: "ErrorInvalidIdMalformed", message: "Id is malformed." } };
    }
    mailbox = ctx.index.mailboxes[Number(decoded.parts[0])];
    folder = FOLDER_BY_KEY.get(decoded.parts[1] ?? "");
    if (!mailbox || !folder) return { error: NOT_FOUND };
    if (!canOpen(ctx, mailbox)) {
      return {
        error: { code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." },
      };
    }
  } else {
    const address = text(child(node, "Mailbox"), "EmailAddress")?.trim().toLowerCase();
    if (address) {
      mailbox = ctx.index.byAddress.get(address);
      if (!mailbox) {
        return {
          error: {
            code: "ErrorNonExistentMailbox",
            message: "The SMTP address has no mailbox associated with it.",
            values: { SmtpAddress: address },
          },
        };
      }
      if (mailbox.primarySmtpAddress !== address) {
        return {
          error: {
            code: "ErrorNonPrimarySmtpAddress",
            message: "The primary SMTP address must be specified when referencing a mailbox.",
            values: { Primary: mailbox.primarySmtpAddress },
          },
        };
      }
      if (!canOpen(ctx, mailbox)) {
        return {
          error: { code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." },
        };
      }
    } else {
      mailbox = ctx.target;
      if (!mailbox) {
        return {
          error: {
            code: "ErrorMissingEmailAddress",
            message:
              "When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.",
          },
        };
      }
    }
    folder = FOLDER_BY_KEY.get(attr(node, "Id") ?? "");
    if (!folder) return { error: NOT_FOUND };
  }
  if (mailbox.moveInProgress || ctx.moveInProgress) {
    return {
      error: { code: "ErrorMailboxMoveInProgress", message: "Mailbox move in progress. Try again later." },
    };
  }
  return { mailbox, folder };
}

/** Without delegate permissions in the model, a caller opens only the target or its own mailbox. */
function canOpen(ctx: OperationContext, mailbox: ResolvedMailbox): boolean {
  return mailbox === ctx.target || mailbox === ctx.caller.ownMailbox;
}

/** The folder references of a FolderIds / ParentFolderIds element, in document order. */
export function folderRefs(ctx: OperationContext, container: XmlNode | undefined): FolderRef[] {
  if (!container) return [];
  const refs: FolderRef[] = [];
  for (const [name, value] of Object.entries(container)) {
    if (name !== "DistinguishedFolderId" && name !== "FolderId") continue;
    const list = Array.isArray(value) ? value : [value];
    for (const v of list) if (v && typeof v === "object") refs.push(resolveFolderRef(ctx, name, v));
  }
  return refs;
}

/** The BaseShape of an ItemShape/FolderShape element. */
export function shapeOf(shapeElement: XmlNode | undefined): Shape {
  const s = text(shapeElement, "BaseShape");
  return s === "IdOnly" || s === "AllProperties" ? s : "Default";
}

/** Paging of IndexedPageItemView / IndexedPageFolderView; defaults to everything. */
export function indexedPage(view: XmlNode | undefined, total: number): { offset: number; max: number } {
  const max = Math.min(Number(attr(view, "MaxEntriesReturned") ?? 1000) || 1000, 1000);
  const base = attr(view, "BasePoint") ?? "Beginning";
  const raw = Number(attr(view, "Offset") ?? 0) || 0;
  const offset = base === "End" ? Math.max(0, total - raw - max) : raw;
  return { offset, max };
}

/** BaseShape plus AdditionalProperties (FieldURI, ExtendedFieldURI) and BodyType of an ItemShape/FolderShape. */
export function selectionOf(shapeElement: XmlNode | undefined): PropertySelection {
  const extra = child(shapeElement, "AdditionalProperties");
  const fields = new Set(
    children(extra, "FieldURI")
      .map((f) => attr(f, "FieldURI"))
      .filter((f): f is string => f !== undefined),
  );
  const extended: ExtendedField[] = children(extra, "ExtendedFieldURI").map((node) => {
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith("@_") && typeof v === "string" && !k.startsWith("@_xmlns")) attributes[k.slice(2)] = v;
    }
    const raw = attributes.PropertyTag;
    const tag = raw === undefined ? undefined : Number(raw.startsWith("0x") ? raw : Number(raw));
    return { attributes, tag: tag !== undefined && Number.isFinite(tag) ? tag : undefined };
  });
  const bodyType = text(shapeElement, "BodyType");
  return {
    base: shapeOf(shapeElement),
    fields,
    extended,
    bodyType: bodyType === "HTML" || bodyType === "Text" ? bodyType : "Best",
  };
}

/** An item id resolved to its mailbox and stored item, or a per-message error. */
export type ItemRef = { mailbox: ResolvedMailbox; item: StoredItem } | { error: MessageError };

/**
 * Resolves a `t:ItemId`: ErrorInvalidIdMalformed for a foreign id, ErrorItemNotFound for a deleted or
 * unknown one, ErrorAccessDenied for another mailbox's item.
 */
export function resolveItemRef(ctx: OperationContext, node: XmlNode | undefined): ItemRef {
  const decoded = readId(attr(node, "Id") ?? "");
  if (!decoded || decoded.kind !== "I") {
    return { error: { code: "ErrorInvalidIdMalformed", message: "Id is malformed." } };
  }
  const mailbox = ctx.index.mailboxes[Number(decoded.parts[0])];
  if (!mailbox) return { error: ITEM_NOT_FOUND };
  if (!canOpen(ctx, mailbox)) {
    return {
      error: { code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." },
    };
  }
  if (mailbox.moveInProgress || ctx.moveInProgress) {
    return {
      error: { code: "ErrorMailboxMoveInProgress", message: "Mailbox move in progress. Try again later." },
    };
  }
  const item = ctx.store.get(mailbox, attr(node, "Id") ?? "");
  return item ? { mailbox, item } : { error: ITEM_NOT_FOUND };
}

const ITEM_NOT_FOUND: MessageError = {
  code: "ErrorItemNotFound",
  message:
    "The specified object was not found in the store., The process failed to get the correct properties.",
};
