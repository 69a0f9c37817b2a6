import { EwsFault } from "../faults";
import { NS, child, children, el, esc, text, type XmlNode } from "../soap";
import type { OperationContext } from "./context";

const MERGED_INTERVAL_DEFAULT = 30;

function localTime(utc: number, biasMinutes: number): string {
  return new Date(utc - biasMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "");
}

/** A TimeWindow time: with a zone as given; without one, in the request's time zone (UTC = local + bias). */
function utcOf(value: string | undefined, biasMinutes: number): number {
  if (!value) return NaN;
  if (/(Z|[+-]\d\d:\d\d)$/i.test(value)) return Date.parse(value);
  return Date.parse(`${value}Z`) + biasMinutes * 60_000;
}

/**
 * GetUserAvailabilityRequest: free/busy of each mailbox (rooms included) in the TimeWindow, from its
 * calendar items. Times are written in the request's time zone (its Bias; daylight rules ignored) without
 * an offset, as Exchange writes them. `Detailed` views add subject and location; `*Merged` views add the
 * MergedFreeBusy string (0 free, 2 busy per interval). An unknown address gets ErrorMailRecipientNotFound
 * in its own FreeBusyResponse.
 */
export function getUserAvailability(ctx: OperationContext, request: XmlNode): string {
  const options = child(request, "FreeBusyViewOptions");
  const window = child(options, "TimeWindow");
  const bias = Number(text(child(request, "TimeZone"), "Bias") ?? 0) || 0;
  const start = utcOf(text(window, "StartTime"), bias);
  const end = utcOf(text(window, "EndTime"), bias);
  const data = children(child(request, "MailboxDataArray"), "MailboxData");
  if (data.length === 0 || Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: MailboxDataArray and FreeBusyViewOptions/TimeWindow are required.",
    );
  }
  const view = text(options, "RequestedView") ?? "FreeBusy";
  const interval = Number(text(options, "MergedFreeBusyIntervalInMinutes") ?? MERGED_INTERVAL_DEFAULT) || 30;
  const responses = data.map((d) => {
    const address = (text(child(d, "Email"), "Address") ?? "").trim().toLowerCase();
    const mailbox = ctx.index.byAddress.get(address);
    if (!mailbox) {
      return (
        `<FreeBusyResponse><ResponseMessage ResponseClass="Error"><MessageText>No mailbox with such guid.</MessageText>` +
        `<ResponseCode>ErrorMailRecipientNotFound</ResponseCode><DescriptiveLinkKey>0</DescriptiveLinkKey></ResponseMessage>` +
        `<FreeBusyView><t:FreeBusyViewType>None</t:FreeBusyViewType></FreeBusyView></FreeBusyResponse>`
      );
    }
    const events = ctx.store
      .items(mailbox, "calendar")
      .filter((i) => i.start && i.end && Date.parse(i.end) > start && Date.parse(i.start) < end);
    const detailed = view.startsWith("Detailed");
    const merged = view.endsWith("Merged") || view === "MergedOnly";
    let mergedText = "";
    if (merged) {
      for (let t = start; t < end; t += interval * 60_000) {
        const busy = events.some(
          (e) => Date.parse(e.start!) < t + interval * 60_000 && Date.parse(e.end!) > t,
        );
        mergedText += busy ? "2" : "0";
      }
    }
    const list = events
      .map(
        (e) =>
          `<t:CalendarEvent><t:StartTime>${localTime(Date.parse(e.start!), bias)}</t:StartTime>` +
          `<t:EndTime>${localTime(Date.parse(e.end!), bias)}</t:EndTime><t:BusyType>Busy</t:BusyType>` +
          (detailed
            ? `<t:CalendarEventDetails>${el("t:Subject", e.subject)}${el("t:Location", e.location ?? "")}` +
              `<t:IsMeeting>${e.to.length > 1}</t:IsMeeting><t:IsRecurring>false</t:IsRecurring><t:IsException>false</t:IsException>` +
              `<t:IsReminderSet>false</t:IsReminderSet><t:IsPrivate>false</t:IsPrivate></t:CalendarEventDetails>`
            : "") +
          `</t:CalendarEvent>`,
      )
      .join("");
    return (
      `<FreeBusyResponse><ResponseMessage ResponseClass="Success"><ResponseCode>NoError</ResponseCode></ResponseMessage>` +
      `<FreeBusyView><t:FreeBusyViewType>${esc(view === "MergedOnly" ? "MergedOnly" : detailed ? "Detailed" : "FreeBusy")}${merged && view !== "MergedOnly" ? "Merged" : ""}</t:FreeBusyViewType>` +
      (merged ? el("t:MergedFreeBusy", mergedText) : "") +
      (view === "MergedOnly" ? "" : `<t:CalendarEventArray>${list}</t:CalendarEventArray>`) +
      `</FreeBusyView></FreeBusyResponse>`
    );
  });
  return (
    `<GetUserAvailabilityResponse xmlns="${NS.messages}" xmlns:t="${NS.types}">` +
    `<FreeBusyResponseArray>${responses.join("")}</FreeBusyResponseArray></GetUserAvailabilityResponse>`
  );
}
