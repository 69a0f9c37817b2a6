import { EwsFault } from "../faults";
import { folderItems, itemXml } from "../mailbox-data";
import { attr, child, errorMessage, responseMessages, successMessage, type XmlNode } from "../soap";
import { folderRefs, indexedPage, shapeOf, type OperationContext } from "./context";

/**
 * FindItem over the seeded items: IndexedPageItemView pages (small pages, IndexedPagingOffset and
 * IncludesLastItemInRange as Exchange sets them) or a CalendarView window.
 */
export function findItem(ctx: OperationContext, request: XmlNode): string {
  const shape = shapeOf(child(request, "ItemShape"));
  const refs = folderRefs(ctx, child(request, "ParentFolderIds"));
  if (refs.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: ParentFolderIds is empty.",
    );
  }
  const indexed = child(request, "IndexedPageItemView");
  const calendar = child(request, "CalendarView");
  const messages = refs.map((ref) => {
    if ("error" in ref) return errorMessage("FindItem", ref.error);
    let all = folderItems(ref.mailbox, ref.folder.key, ctx.now);
    if (calendar) {
      const from = Date.parse(attr(calendar, "StartDate") ?? "");
      const to = Date.parse(attr(calendar, "EndDate") ?? "");
      if (Number.isNaN(from) || Number.isNaN(to)) {
        throw new EwsFault(
          "ErrorSchemaValidation",
          undefined,
          "The request failed schema validation: CalendarView needs StartDate and EndDate.",
        );
      }
      all = all.filter((i) => Date.parse(i.end ?? i.when) > from && Date.parse(i.when) < to);
      const max = Number(attr(calendar, "MaxEntriesReturned") ?? 0) || all.length;
      const page = all.slice(0, max);
      if (all.length > max) {
        return errorMessage("FindItem", {
          code: "ErrorCalendarViewRangeTooBig",
          message: "The calendar view range contains more items than MaxEntriesReturned.",
        });
      }
      return successMessage(
        "FindItem",
        rootFolder(
          page.map((i) => itemXml(ref.mailbox, ref.folder.key, i, shape)),
          "",
          all.length,
          true,
        ),
      );
    }
    const { offset, max } = indexedPage(indexed, all.length);
    const page = all.slice(offset, offset + max);
    const last = offset + page.length >= all.length;
    const paging = indexed ? ` IndexedPagingOffset="${offset + page.length}"` : "";
    return successMessage(
      "FindItem",
      rootFolder(
        page.map((i) => itemXml(ref.mailbox, ref.folder.key, i, shape)),
        paging,
        all.length,
        last,
      ),
    );
  });
  return responseMessages("FindItem", messages.join(""));
}

function rootFolder(items: string[], paging: string, total: number, last: boolean): string {
  return `<m:RootFolder${paging} TotalItemsInView="${total}" IncludesLastItemInRange="${last}"><t:Items>${items.join("")}</t:Items></m:RootFolder>`;
}
