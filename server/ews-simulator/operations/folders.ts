import { EwsFault } from "../faults";
import { childFolders, folderXml } from "../mailbox-data";
import { attr, child, errorMessage, responseMessages, successMessage, type XmlNode } from "../soap";
import { folderRefs, indexedPage, shapeOf, type OperationContext } from "./context";

/**
 * GetFolder: one response message per folder id, each Success with `m:Folders` or Error with an
 * empty `m:Folders` (as Exchange 2013+ writes it).
 */
export function getFolder(ctx: OperationContext, request: XmlNode): string {
  const shape = shapeOf(child(request, "FolderShape"));
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
      : successMessage("GetFolder", `<m:Folders>${folderXml(ref.mailbox, ref.folder, shape)}</m:Folders>`),
  );
  return responseMessages("GetFolder", messages.join(""));
}

/** FindFolder: subfolders of each parent, Shallow or Deep, with IndexedPageFolderView paging. */
export function findFolder(ctx: OperationContext, request: XmlNode): string {
  const shape = shapeOf(child(request, "FolderShape"));
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
        `<t:Folders>${page.map((f) => folderXml(ref.mailbox, f, shape)).join("")}</t:Folders></m:RootFolder>`,
    );
  });
  return responseMessages("FindFolder", messages.join(""));
}
