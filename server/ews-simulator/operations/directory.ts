import { EwsFault } from "../faults";
import { mailboxXml } from "../mailbox-data";
import { NS, attr, child, el, errorMessage, esc, responseMessages, text, type XmlNode } from "../soap";
import type { ResolvedMailbox, Tenant } from "../tenant";
import type { OperationContext } from "./context";

type RoomList = Tenant["roomLists"][number];
type Match = { mailbox: ResolvedMailbox } | { list: RoomList };

const MAX_RESOLUTIONS = 100;

function matches(entry: string, names: string[]): boolean {
  return names.some((n) => n.startsWith(entry) || n.split(/[\s.@_-]+/).some((w) => w.startsWith(entry)));
}

/** Finds mailboxes and room lists for a ResolveNames entry: exact proxy address, else prefix of a name word. */
function resolve(ctx: OperationContext, raw: string): Match[] {
  const entry = raw
    .trim()
    .toLowerCase()
    .replace(/^smtp:/, "");
  if (!entry) return [];
  const exact = ctx.index.byAddress.get(entry);
  if (exact) return [{ mailbox: exact }];
  const list = ctx.index.roomLists.get(entry);
  if (list) return [{ list }];
  const found: Match[] = [];
  for (const m of ctx.index.mailboxes) {
    if (matches(entry, [m.displayName.toLowerCase(), m.primarySmtpAddress, ...m.aliases])) {
      found.push({ mailbox: m });
    }
    if (found.length >= MAX_RESOLUTIONS) return found;
  }
  for (const l of ctx.index.tenant.roomLists) {
    if (matches(entry, [l.displayName.toLowerCase(), l.address])) found.push({ list: l });
  }
  return found.slice(0, MAX_RESOLUTIONS);
}

function contactXml(name: string, address: string): string {
  return (
    `<t:Contact>${el("t:DisplayName", name)}<t:EmailAddresses><t:Entry Key="EmailAddress1">SMTP:${esc(address)}</t:Entry></t:EmailAddresses>` +
    `<t:ContactSource>ActiveDirectory</t:ContactSource></t:Contact>`
  );
}

function resolutionXml(match: Match, fullContact: boolean): string {
  if ("mailbox" in match) {
    const m = match.mailbox;
    return `<t:Resolution>${mailboxXml(m)}${fullContact ? contactXml(m.displayName, m.primarySmtpAddress) : ""}</t:Resolution>`;
  }
  const l = match.list;
  return (
    `<t:Resolution><t:Mailbox>${el("t:Name", l.displayName)}${el("t:EmailAddress", l.address)}` +
    `<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>PublicDL</t:MailboxType></t:Mailbox></t:Resolution>`
  );
}

/**
 * ResolveNames: Success for one match, Warning ErrorNameResolutionMultipleResults for several,
 * Error ErrorNameResolutionNoResults for none (with `m:ResolutionSet` only when something matched).
 */
export function resolveNames(ctx: OperationContext, request: XmlNode): string {
  const entry = text(request, "UnresolvedEntry");
  if (entry === undefined || entry.trim() === "") {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: UnresolvedEntry is required.",
    );
  }
  const full = attr(request, "ReturnFullContactData") === "true";
  const found = resolve(ctx, entry);
  if (found.length === 0) {
    return responseMessages(
      "ResolveNames",
      errorMessage("ResolveNames", {
        code: "ErrorNameResolutionNoResults",
        message: "No results were found.",
      }),
    );
  }
  const set =
    `<m:ResolutionSet TotalItemsInView="${found.length}" IncludesLastItemInRange="true">` +
    `${found.map((f) => resolutionXml(f, full)).join("")}</m:ResolutionSet>`;
  const message =
    found.length === 1
      ? `<m:ResolveNamesResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${set}</m:ResolveNamesResponseMessage>`
      : errorMessage(
          "ResolveNames",
          {
            responseClass: "Warning",
            code: "ErrorNameResolutionMultipleResults",
            message: "Multiple results were found.",
          },
          set,
        );
  return responseMessages("ResolveNames", message);
}

function addressXml(tag: string, name: string, address: string, type: string): string {
  return `<${tag}>${el("t:Name", name)}${el("t:EmailAddress", address)}<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>${type}</t:MailboxType></${tag}>`;
}

/** GetRoomLists: the response element itself carries ResponseClass (no ResponseMessages). */
export function getRoomLists(ctx: OperationContext): string {
  const lists = ctx.index.tenant.roomLists
    .map((l) => addressXml("t:Address", l.displayName, l.address, "PublicDL"))
    .join("");
  return (
    `<GetRoomListsResponse ResponseClass="Success" xmlns="${NS.messages}"><ResponseCode>NoError</ResponseCode>` +
    `<m:RoomLists xmlns:m="${NS.messages}" xmlns:t="${NS.types}">${lists}</m:RoomLists></GetRoomListsResponse>`
  );
}

/** GetRooms: rooms of a room list; an unknown list gives Error ErrorNameResolutionNoResults. */
export function getRooms(ctx: OperationContext, request: XmlNode): string {
  const address = text(child(request, "RoomList"), "EmailAddress")?.trim().toLowerCase() ?? "";
  const list = ctx.index.roomLists.get(address);
  if (!list) {
    return (
      `<GetRoomsResponse ResponseClass="Error" xmlns="${NS.messages}"><MessageText>No results were found.</MessageText>` +
      `<ResponseCode>ErrorNameResolutionNoResults</ResponseCode><DescriptiveLinkKey>0</DescriptiveLinkKey></GetRoomsResponse>`
    );
  }
  const rooms = list.rooms
    .map((r) => ctx.index.byAddress.get(r))
    .filter((m): m is ResolvedMailbox => m !== undefined)
    .map(
      (m) =>
        `<t:Room xmlns:t="${NS.types}">${addressXml("t:Id", m.displayName, m.primarySmtpAddress, "Mailbox")}</t:Room>`,
    )
    .join("");
  return (
    `<GetRoomsResponse ResponseClass="Success" xmlns="${NS.messages}"><ResponseCode>NoError</ResponseCode>` +
    `<m:Rooms xmlns:m="${NS.messages}">${rooms}</m:Rooms></GetRoomsResponse>`
  );
}
