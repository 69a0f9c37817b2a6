import { EwsFault } from "../faults";
import { childFolders, folderXml, type PropertySelection, type SimFolder } from "../mailbox-data";
import { attr, child, errorMessage, responseMessages, successMessage, text, type XmlNode } from "../soap";
import type { ResolvedMailbox } from "../tenant";
import { folderRefs, indexedPage, resolveFolderRef, selectionOf, type OperationContext } from "./context";
import { decodeSyncState, encodeSyncState } from "./sync-state";

function renderFolder(
  ctx: OperationContext,
  m: ResolvedMailbox,
  f: SimFolder,
  sel: PropertySelection,
): string {
  return folderXml(m, f, sel, { total: ctx.store.count(m, f.key), unread: ctx.store.unread(m, f.key) });
}

/**
 * GetFolder: one response message per folder id, each Success with `m:Folders` or Error with an
 * empty `m:Folders` (as Exchange 2013+ writes it).
 */
export function getFolder(ctx: OperationContext, request: XmlNode): string {
  const sel = selectionOf(child(request, "FolderShape"));
  const refs = folderRefs(ctx, child(request, "FolderIds"));
  if (refs.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: FolderIds is empty.",
    );
  }
  const messages = refs.map((ref) =>
    "error" in ref
      ? errorMessage("GetFolder", ref.error, "<m:Folders/>")
      : successMessage(
          "GetFolder",
          `<m:Folders>${renderFolder(ctx, ref.mailbox, ref.folder, sel)}</m:Folders>`,
        ),
  );
  return responseMessages("GetFolder", messages.join(""));
}

/** FindFolder: subfolders of each parent, Shallow or Deep, with IndexedPageFolderView paging. */
export function findFolder(ctx: OperationContext, request: XmlNode): string {
  const sel = selectionOf(child(request, "FolderShape"));
  const deep = attr(request, "Traversal") === "Deep";
  const view = child(request, "IndexedPageFolderView");
  const refs = folderRefs(ctx, child(request, "ParentFolderIds"));
  if (refs.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: ParentFolderIds is empty.",
    );
  }
  const messages = refs.map((ref) => {
    if ("error" in ref) return errorMessage("FindFolder", ref.error);
    const all = childFolders(ref.folder.key, deep);
    const { offset, max } = indexedPage(view, all.length);
    const page = all.slice(offset, offset + max);
    const last = offset + page.length >= all.length;
    const paging = view ? ` IndexedPagingOffset="${offset + page.length}"` : "";
    return successMessage(
      "FindFolder",
      `<m:RootFolder${paging} TotalItemsInView="${all.length}" IncludesLastItemInRange="${last}">` +
        `<t:Folders>${page.map((f) => renderFolder(ctx, ref.mailbox, f, sel)).join("")}</t:Folders></m:RootFolder>`,
    );
  });
  return responseMessages("FindFolder", messages.join(""));
}

/**
 * SyncFolderHierarchy: the folders under SyncFolderId (default the mailbox root) as creates on the
 * first call; the simulator's folder tree never changes, so later calls with a valid state return none.
 */
export function syncFolderHierarchy(ctx: OperationContext, request: XmlNode): string {
  const sel = selectionOf(child(request, "FolderShape"));
  const syncFolder = child(request, "SyncFolderId");
  const ref = syncFolder
    ? (folderRefs(ctx, syncFolder)[0] ?? resolveFolderRef(ctx, "DistinguishedFolderId", {}))
    : resolveFolderRef(ctx, "DistinguishedFolderId", { "@_Id": "root" });
  if ("error" in ref) {
    return responseMessages("SyncFolderHierarchy", errorMessage("SyncFolderHierarchy", ref.error));
  }
  const raw = text(request, "SyncState") ?? "";
  const scope = `H:${ref.folder.key}`;
  let known = false;
  if (raw.trim() !== "") {
    const decoded = decodeSyncState(ctx, raw.trim(), ref.mailbox, scope);
    if (decoded === undefined) {
      return responseMessages(
        "SyncFolderHierarchy",
        errorMessage("SyncFolderHierarchy", {
          code: "ErrorInvalidSyncStateData",
          message: "Synchronization state data is corrupt or otherwise invalid.",
        }),
      );
    }
    known = true;
  }
  const folders = known ? [] : childFolders(ref.folder.key, true);
  const creates = folders
    .map((f) => `<t:Create>${renderFolder(ctx, ref.mailbox, f, sel)}</t:Create>`)
    .join("");
  return responseMessages(
    "SyncFolderHierarchy",
    successMessage(
      "SyncFolderHierarchy",
      `<m:SyncState>${encodeSyncState(ctx, ref.mailbox, scope, ctx.store.currentSeq)}</m:SyncState>` +
        `<m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange><m:Changes>${creates}</m:Changes>`,
    ),
  );
}
