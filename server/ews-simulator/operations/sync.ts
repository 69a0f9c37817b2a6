import { EwsFault } from "../faults";
import { itemXml } from "../mailbox-data";
import { child, errorMessage, responseMessages, successMessage, text, type XmlNode } from "../soap";
import { folderRefs, selectionOf, type OperationContext } from "./context";
import { decodeSyncState, encodeSyncState } from "./sync-state";

/**
 * SyncFolderItems: the changes of one folder since the SyncState (none = everything present), oldest
 * first, at most MaxChangesReturned (1-512) of them; IncludesLastItemInRange is false while more remain,
 * and the returned SyncState continues after the last change returned. An unknown, edited or foreign
 * SyncState gives ErrorInvalidSyncStateData.
 */
export function syncFolderItems(ctx: OperationContext, request: XmlNode): string {
  const sel = selectionOf(child(request, "ItemShape"));
  const max = Number(text(request, "MaxChangesReturned"));
  if (!Number.isInteger(max) || max < 1 || max > 512) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: MaxChangesReturned must be between 1 and 512.",
    );
  }
  const [ref] = folderRefs(ctx, child(request, "SyncFolderId"));
  if (!ref) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: SyncFolderId is required.",
    );
  }
  if ("error" in ref) return responseMessages("SyncFolderItems", errorMessage("SyncFolderItems", ref.error));
  const scope = `I:${ref.folder.key}`;
  const raw = (text(request, "SyncState") ?? "").trim();
  let since = 0;
  if (raw !== "") {
    const decoded = decodeSyncState(ctx, raw, ref.mailbox, scope);
    if (decoded === undefined) {
      return responseMessages(
        "SyncFolderItems",
        errorMessage("SyncFolderItems", {
          code: "ErrorInvalidSyncStateData",
          message: "Synchronization state data is corrupt or otherwise invalid.",
        }),
      );
    }
    since = decoded;
  }
  const all = ctx.store.changesSince(ref.mailbox, ref.folder.key, since);
  const page = all.slice(0, max);
  const last = page.length === all.length;
  const next = last ? ctx.store.currentSeq : page[page.length - 1].seq;
  const changes = page
    .map((c) => {
      if (c.kind === "delete") return `<t:Delete><t:ItemId Id="${c.id}"/></t:Delete>`;
      const tag = c.kind === "create" ? "t:Create" : "t:Update";
      return `<${tag}>${itemXml(ref.mailbox, c.item, sel, "find")}</${tag}>`;
    })
    .join("");
  return responseMessages(
    "SyncFolderItems",
    successMessage(
      "SyncFolderItems",
      `<m:SyncState>${encodeSyncState(ctx, ref.mailbox, scope, next)}</m:SyncState>` +
        `<m:IncludesLastItemInRange>${last}</m:IncludesLastItemInRange><m:Changes>${changes}</m:Changes>`,
    ),
  );
}
