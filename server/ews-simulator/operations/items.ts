import { EwsFault } from "../faults";
import { itemXml } from "../mailbox-data";
import { attr, child, children, errorMessage, responseMessages, successMessage, type XmlNode } from "../soap";
import { folderRefs, indexedPage, resolveItemRef, selectionOf, type OperationContext } from "./context";
import { parseRestriction, UnsupportedRestriction, type ItemPredicate } from "./restriction";

/**
 * FindItem over the stored items: an optional Restriction (date ranges on received or start, ...),
 * then IndexedPageItemView pages (IndexedPagingOffset and IncludesLastItemInRange as Exchange sets them)
 * or a CalendarView window.
 */
export function findItem(ctx: OperationContext, request: XmlNode): string {
  const sel = selectionOf(child(request, "ItemShape"));
  const refs = folderRefs(ctx, child(request, "ParentFolderIds"));
  if (refs.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: ParentFolderIds is empty.",
    );
  }
  let restriction: ItemPredicate | undefined;
  try {
    restriction = parseRestriction(child(request, "Restriction"));
  } catch (error) {
    if (!(error instanceof UnsupportedRestriction)) throw error;
    return responseMessages(
      "FindItem",
      refs
        .map(() =>
          errorMessage("FindItem", {
            code: "ErrorUnsupportedPathForQuery",
            message: `The property can not be used with this type of restriction. (${error.message})`,
          }),
        )
        .join(""),
    );
  }
  const indexed = child(request, "IndexedPageItemView");
  const calendar = child(request, "CalendarView");
  const messages = refs.map((ref) => {
    if ("error" in ref) return errorMessage("FindItem", ref.error);
    let all = ctx.store.items(ref.mailbox, ref.folder.key);
    if (restriction) all = all.filter(restriction);
    const render = (list: typeof all) => list.map((i) => itemXml(ref.mailbox, i, sel, "find"));
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
      all = all.filter(
        (i) => Date.parse(i.end ?? i.start ?? i.received) > from && Date.parse(i.start ?? i.received) < to,
      );
      const max = Number(attr(calendar, "MaxEntriesReturned") ?? 0) || all.length;
      if (all.length > max) {
        return errorMessage("FindItem", {
          code: "ErrorCalendarViewRangeTooBig",
          message: "The calendar view range contains more items than MaxEntriesReturned.",
        });
      }
      return successMessage("FindItem", rootFolder(render(all), "", all.length, true));
    }
    const { offset, max } = indexedPage(indexed, all.length);
    const page = all.slice(offset, offset + max);
    const last = offset + page.length >= all.length;
    const paging = indexed ? ` IndexedPagingOffset="${offset + page.length}"` : "";
    return successMessage("FindItem", rootFolder(render(page), paging, all.length, last));
  });
  return responseMessages("FindItem", messages.join(""));
}

function rootFolder(items: string[], paging: string, total: number, last: boolean): string {
  return `<m:RootFolder${paging} TotalItemsInView="${total}" IncludesLastItemInRange="${last}"><t:Items>${items.join("")}</t:Items></m:RootFolder>`;
}

/**
 * GetItem: one response message per item id, Success with `m:Items` holding the item in GetItem's
 * Default shape (body, attachments, recipients) plus AdditionalProperties, or Error with empty `m:Items`.
 */
export function getItem(ctx: OperationContext, request: XmlNode): string {
  const sel = selectionOf(child(request, "ItemShape"));
  const ids = children(child(request, "ItemIds"), "ItemId");
  if (ids.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: ItemIds is empty.",
    );
  }
  const messages = ids.map((node) => {
    const ref = resolveItemRef(ctx, node);
    if ("error" in ref) return errorMessage("GetItem", ref.error, "<m:Items/>");
    return successMessage("GetItem", `<m:Items>${itemXml(ref.mailbox, ref.item, sel, "get")}</m:Items>`);
  });
  return responseMessages("GetItem", messages.join(""));
}
