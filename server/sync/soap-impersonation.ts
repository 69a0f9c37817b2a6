import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { badRequest } from "../errors";

const TYPES_NS = "http://schemas.microsoft.com/exchange/services/2006/types";
const SOAP_NS = new Set(["http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"]);

// Ordered, entity-preserving round trip: what the caller wrote reaches Exchange unchanged but for the header.
const OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  trimValues: false,
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  commentPropName: "#comment",
  cdataPropName: "#cdata",
} as const;
const parser = new XMLParser(OPTIONS);
const builder = new XMLBuilder({ ...OPTIONS, suppressEmptyNode: true, format: false });

type Node = Record<string, unknown> & { ":@"?: Record<string, string> };

const nameOf = (node: Node) => Object.keys(node).find((k) => k !== ":@");
const localName = (name: string) => name.slice(name.indexOf(":") + 1);
const prefixOf = (name: string) => (name.includes(":") ? name.slice(0, name.indexOf(":")) : "");

function escapeText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Sets the EWS impersonation header of a SOAP request to the given mailbox: any `ExchangeImpersonation`
 * the caller sent is removed (never trusted), ours is added. Refuses anything that is not a well-formed
 * SOAP envelope with a body, and any DTD.
 * @example const soap = setImpersonation(body, "user@contoso.com");
 */
export function setImpersonation(soap: string, address: string): string {
  if (/<!DOCTYPE/i.test(soap)) throw badRequest("invalid_soap", "DTDs are not accepted in SOAP requests.");
  const valid = XMLValidator.validate(soap);
  if (valid !== true) throw badRequest("invalid_soap", `The body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}).`);
  const tree = parser.parse(soap) as Node[];
  const envelope = tree.find((n) => {
    const name = nameOf(n);
    return name !== undefined && localName(name) === "Envelope";
  });
  const envelopeName = envelope && nameOf(envelope);
  if (!envelope || !envelopeName) throw badRequest("invalid_soap", "The body must be a SOAP Envelope.");
  const prefix = prefixOf(envelopeName);
  const nsAttr = prefix ? `@_xmlns:${prefix}` : "@_xmlns";
  if (!SOAP_NS.has(envelope[":@"]?.[nsAttr] ?? "")) throw badRequest("invalid_soap", "The Envelope must be in the SOAP 1.1 or 1.2 namespace.");
  const children = envelope[envelopeName] as Node[];
  if (!children.some((c) => nameOf(c) === `${prefix ? `${prefix}:` : ""}Body`)) throw badRequest("invalid_soap", "The SOAP Envelope has no Body.");

  const headerName = `${prefix ? `${prefix}:` : ""}Header`;
  let header = children.find((c) => nameOf(c) === headerName);
  if (!header) {
    header = { [headerName]: [] };
    children.splice(children.findIndex((c) => nameOf(c) === `${prefix ? `${prefix}:` : ""}Body`), 0, header);
  }
  const entries = (header[headerName] as Node[]).filter((c) => {
    const name = nameOf(c);
    return !(name && localName(name) === "ExchangeImpersonation");
  });
  entries.push({
    "msa:ExchangeImpersonation": [{ "msa:ConnectingSID": [{ "msa:PrimarySmtpAddress": [{ "#text": escapeText(address) }] }] }],
    ":@": { "@_xmlns:msa": TYPES_NS },
  });
  header[headerName] = entries;
  return builder.build(tree);
}
