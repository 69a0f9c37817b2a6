import { SaxesParser, type SaxesTagNS } from "saxes";
import { badRequest } from "../errors";
import { ALLOWED_SOAP_HEADERS } from "./ews-operations";

const TYPES_NS = "http://schemas.microsoft.com/exchange/services/2006/types";
const MESSAGES_NS = "http://schemas.microsoft.com/exchange/services/2006/messages";
const SOAP_NS = new Set([
  "http://schemas.xmlsoap.org/soap/envelope/",
  "http://www.w3.org/2003/05/soap-envelope",
]);

function escapeText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const invalid = (message: string) => badRequest("invalid_soap", message);

/** Where the parts that matter sit in the request, as indexes into its text. */
interface Layout {
  envelopePrefix: string;
  /** The Header element: its start tag's name, where its content starts and ends; `selfClosing` for `<soap:Header/>`. */
  header?: { name: string; tagStart: number; contentStart: number; contentEnd: number; selfClosing: boolean };
  /** Where the Body's start tag begins. */
  bodyStart?: number;
  /** Elements directly in the Header that are not on the allow list: [start, end) of each. */
  removed: [number, number][];
  /** The Body's child elements (the operation), local name and namespace. */
  operations: { local: string; uri: string }[];
  /** A `PermissionSet` element, or a `FieldURI="folder:PermissionSet"`, somewhere in the operation. */
  touchesPermissions: boolean;
}

/**
 * Reads the request once with a strict, namespace-aware parser (saxes: well-formedness, one root,
 * undefined entities refused) and notes where the Envelope's Header, Body, the Header's elements that
 * are not on the allow list (ALLOWED_SOAP_HEADERS, in the EWS types namespace) and the Body's operation
 * are. Names are judged after namespace resolution, so prefixes, default namespaces, comments, CDATA
 * and entities can't disguise an element. Offsets come from the parser's position (a JavaScript string
 * index), which sits just after the `>` of the tag an event reports; in well-formed XML no `<` occurs
 * inside a tag, so the tag starts at the last `<` before it.
 */
function layoutOf(soap: string): Layout {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const layout: Layout = { envelopePrefix: "", removed: [], operations: [], touchesPermissions: false };
  const tagStart = () => soap.lastIndexOf("<", parser.position - 1);
  let depth = 0;
  let envelopeNs = "";
  let inHeader = false;
  let inBody = false;
  let removedStart = -1;
  parser.on("doctype", () => {
    throw invalid("DTDs are not accepted in SOAP requests.");
  });
  parser.on("opentag", (tag: SaxesTagNS) => {
    depth += 1;
    if (depth === 1) {
      if (tag.local !== "Envelope") throw invalid("The body must be a SOAP Envelope.");
      if (!SOAP_NS.has(tag.uri)) throw invalid("The Envelope must be in the SOAP 1.1 or 1.2 namespace.");
      envelopeNs = tag.uri;
      layout.envelopePrefix = tag.prefix;
    } else if (depth === 2 && tag.uri === envelopeNs && tag.local === "Header") {
      if (layout.header || layout.bodyStart !== undefined) {
        throw invalid("The SOAP Envelope must have at most one Header, before the Body.");
      }
      const start = tagStart();
      layout.header = {
        name: tag.name,
        tagStart: start,
        contentStart: parser.position,
        contentEnd: parser.position,
        selfClosing: tag.isSelfClosing,
      };
      inHeader = !tag.isSelfClosing;
    } else if (depth === 2 && tag.uri === envelopeNs && tag.local === "Body") {
      if (layout.bodyStart !== undefined) throw invalid("The SOAP Envelope must have one Body.");
      layout.bodyStart = tagStart();
      inBody = !tag.isSelfClosing;
    } else if (depth === 3 && inHeader) {
      if (tag.uri !== TYPES_NS || !ALLOWED_SOAP_HEADERS.has(tag.local)) removedStart = tagStart();
    } else if (depth === 3 && inBody) {
      layout.operations.push({ local: tag.local, uri: tag.uri });
      if (layout.operations.length > 1) {
        throw invalid("The SOAP Body must hold one EWS operation; send one request per operation.");
      }
    } else if (depth > 3 && inBody) {
      if (
        tag.local === "PermissionSet" ||
        Object.values(tag.attributes).some(
          (a) => a.local === "FieldURI" && a.value === "folder:PermissionSet",
        )
      ) {
        layout.touchesPermissions = true;
      }
    }
  });
  parser.on("closetag", () => {
    if (depth === 3 && removedStart >= 0) {
      layout.removed.push([removedStart, parser.position]);
      removedStart = -1;
    } else if (depth === 2 && inHeader) {
      layout.header!.contentEnd = tagStart();
      inHeader = false;
    } else if (depth === 2) {
      inBody = false;
    }
    depth -= 1;
  });
  parser.on("error", (error) => {
    throw invalid(`The body is not well-formed XML: ${error.message}`);
  });
  parser.write(soap).close();
  if (depth !== 0 || !envelopeNs) throw invalid("The body must be a SOAP Envelope.");
  if (layout.bodyStart === undefined) throw invalid("The SOAP Envelope has no Body.");
  return layout;
}

/** A SOAP request read for the gateway: what it asks Exchange to do, and how to send it for a mailbox. */
export interface GatewaySoap {
  /** The operation's element name (the Body's one child), e.g. `GetFolder`. */
  operation: string;
  /** Whether the operation is in the EWS messages namespace (anything else is no EWS operation). */
  isEws: boolean;
  /** Whether the operation sets or reads a folder's permissions (`PermissionSet`). */
  touchesPermissions: boolean;
  /** The request as it goes to Exchange: headers off the allow list removed, our impersonation added. */
  forMailbox(address: string): string;
}

/**
 * Reads a SOAP request for the gateway. Refuses (400 invalid_soap) anything that is not a well-formed
 * SOAP envelope with one Body holding one operation (and at most one Header, before it), and any DTD.
 * Nothing is rewritten until `forMailbox`: the Header keeps only the elements on the allow list
 * (ALLOWED_SOAP_HEADERS) and gets our `ExchangeImpersonation`; any the caller sent is removed (never
 * trusted), as is `OpenAsAdminOrSystemService`, `SerializedSecurityContext` and any header not listed.
 * Everything else reaches Exchange exactly as the caller wrote it.
 * @example const req = readGatewaySoap(body); if (req.operation === "GetItem") send(req.forMailbox("jane@contoso.com"));
 */
export function readGatewaySoap(soap: string): GatewaySoap {
  if (/<!DOCTYPE/i.test(soap)) throw invalid("DTDs are not accepted in SOAP requests.");
  const layout = layoutOf(soap);
  const [operation] = layout.operations;
  if (!operation) throw invalid("The SOAP Body holds no EWS operation.");
  return {
    operation: operation.local,
    isEws: operation.uri === MESSAGES_NS,
    touchesPermissions: layout.touchesPermissions,
    forMailbox: (address) => rewrite(soap, layout, address),
  };
}

/**
 * Sets the EWS impersonation header of a SOAP request to the given mailbox and keeps only the allowed
 * headers (see readGatewaySoap, which also refuses what is not a SOAP request with one operation).
 * @example const soap = setImpersonation(body, "user@contoso.com");
 */
export function setImpersonation(soap: string, address: string): string {
  return readGatewaySoap(soap).forMailbox(address);
}

function rewrite(soap: string, layout: Layout, address: string): string {
  const ours = `<msa:ExchangeImpersonation xmlns:msa="${TYPES_NS}"><msa:ConnectingSID><msa:PrimarySmtpAddress>${escapeText(address)}</msa:PrimarySmtpAddress></msa:ConnectingSID></msa:ExchangeImpersonation>`;
  const { header } = layout;
  if (!header) {
    const name = layout.envelopePrefix ? `${layout.envelopePrefix}:Header` : "Header";
    return `${soap.slice(0, layout.bodyStart)}<${name}>${ours}</${name}>${soap.slice(layout.bodyStart)}`;
  }
  if (header.selfClosing) {
    // `<soap:Header/>` (or with attributes): keep its attributes, give it content.
    const tag = soap.slice(header.tagStart, header.contentStart).replace(/\s*\/>$/, ">");
    return `${soap.slice(0, header.tagStart)}${tag}${ours}</${header.name}>${soap.slice(header.contentStart)}`;
  }
  let out = "";
  let at = 0;
  for (const [start, end] of layout.removed) {
    out += soap.slice(at, start);
    at = end;
  }
  return `${out}${soap.slice(at, header.contentEnd)}${ours}${soap.slice(header.contentEnd)}`;
}
