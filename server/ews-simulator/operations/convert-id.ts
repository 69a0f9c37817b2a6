import { EwsFault } from "../faults";
import {
  NS,
  attr,
  child,
  children,
  errorMessage,
  esc,
  readId,
  responseMessages,
  successMessage,
  type XmlNode,
} from "../soap";
import type { OperationContext } from "./context";

const FORMATS = new Set(["EwsLegacyId", "EwsId", "EntryId", "HexEntryId", "StoreId", "OwaId"]);

function toBytes(format: string, id: string): Buffer | undefined {
  if (format === "HexEntryId") return /^[0-9a-fA-F]+$/.test(id) ? Buffer.from(id, "hex") : undefined;
  return Buffer.from(id, "base64");
}

function fromBytes(format: string, bytes: Buffer): string {
  return format === "HexEntryId" ? bytes.toString("hex").toUpperCase() : bytes.toString("base64");
}

/**
 * ConvertId between the id formats for ids the simulator issued (its ids carry no store entry id, so
 * every format holds the same bytes); any other id gives ErrorInvalidIdMalformed, as Exchange answers the
 * dummy id clients such as exchangelib send to learn the server version.
 */
export function convertId(ctx: OperationContext, request: XmlNode): string {
  const to = attr(request, "DestinationFormat") ?? "";
  const sources = children(child(request, "SourceIds"), "AlternateId");
  if (!FORMATS.has(to) || sources.length === 0) {
    throw new EwsFault(
      "ErrorSchemaValidation",
      undefined,
      "The request failed schema validation: DestinationFormat and SourceIds are required.",
    );
  }
  const messages = sources.map((source) => {
    const format = attr(source, "Format") ?? "";
    const bytes = toBytes(format, attr(source, "Id") ?? "");
    const ours = bytes ? readId(bytes.toString("base64")) : undefined;
    const mailbox = (attr(source, "Mailbox") ?? "").toLowerCase();
    if (!bytes || !ours || !ctx.index.byAddress.has(mailbox)) {
      return errorMessage("ConvertId", { code: "ErrorInvalidIdMalformed", message: "Id is malformed." });
    }
    return successMessage(
      "ConvertId",
      `<m:AlternateId xmlns:xsi="${NS.xsi}" xsi:type="t:AlternateIdType" Format="${to}" Id="${esc(fromBytes(to, bytes))}" Mailbox="${esc(mailbox)}"/>`,
    );
  });
  return responseMessages("ConvertId", messages.join(""));
}
