import { SaxesParser, type SaxesTagNS } from "saxes";
import { badRequest } from "../errors";

const TYPES_NS = "http://schemas.microsoft.com/exchange/services/2006/types";
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
  /** `ExchangeImpersonation` elements directly in the Header: [start, end) of each. */
  impersonations: [number, number][];
}

/**
 * Reads the request once with a strict, namespace-aware parser (saxes: well-formedness, one root,
 * undefined entities refused) and notes where the Envelope's Header, Body and any caller-sent
 * `ExchangeImpersonation` are. Offsets come from the parser's position (a JavaScript string index),
 * which sits just after the `>` of the tag an event reports; in well-formed XML no `<` occurs inside a
 * tag, so the tag starts at the last `<` before it.
 */
function layoutOf(soap: string): Layout {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const layout: Layout = { envelopePrefix: "", impersonations: [] };
  const tagStart = () => soap.lastIndexOf("<", parser.position - 1);
  let depth = 0;
  let envelopeNs = "";
  let inHeader = false;
  let impersonationStart = -1;
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
    } else if (depth === 3 && inHeader && tag.local === "ExchangeImpersonation") {
      impersonationStart = tagStart();
    }
  });
  parser.on("closetag", () => {
    if (depth === 3 && impersonationStart >= 0) {
      layout.impersonations.push([impersonationStart, parser.position]);
      impersonationStart = -1;
    } else if (depth === 2 && inHeader) {
      layout.header!.contentEnd = tagStart();
      inHeader = false;
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

/**
 * Sets the EWS impersonation header of a SOAP request to the given mailbox: any `ExchangeImpersonation`
 * the caller sent in the Header is removed (never trusted), ours is added. Everything else reaches
 * Exchange exactly as the caller wrote it. Refuses anything that is not a well-formed SOAP envelope with
 * one Body (and at most one Header, before it), and any DTD.
 * @example const soap = setImpersonation(body, "user@contoso.com");
 */
export function setImpersonation(soap: string, address: string): string {
  if (/<!DOCTYPE/i.test(soap)) throw invalid("DTDs are not accepted in SOAP requests.");
  const layout = layoutOf(soap);
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
  for (const [start, end] of layout.impersonations) {
    out += soap.slice(at, start);
    at = end;
  }
  return `${out}${soap.slice(at, header.contentEnd)}${ours}${soap.slice(header.contentEnd)}`;
}
