import { XMLParser, XMLValidator } from "fast-xml-parser";

/** SOAP 1.1 and EWS namespaces. */
export const NS = {
  soap: "http://schemas.xmlsoap.org/soap/envelope/",
  types: "http://schemas.microsoft.com/exchange/services/2006/types",
  messages: "http://schemas.microsoft.com/exchange/services/2006/messages",
  errors: "http://schemas.microsoft.com/exchange/services/2006/errors",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  xsd: "http://www.w3.org/2001/XMLSchema",
  autodiscover: "http://schemas.microsoft.com/exchange/2010/Autodiscover",
  wsa: "http://www.w3.org/2005/08/addressing",
} as const;

/** A parsed XML element: attributes under `@_name`, text under `#text`, children by local name. */
export interface XmlNode {
  [key: string]: XmlValue;
}
export type XmlValue = XmlNode | XmlNode[] | string | string[] | undefined;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

/** Thrown for a request body that is not well-formed XML. */
export class XmlSyntaxError extends Error {
  override readonly name = "XmlSyntaxError";
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * Parses XML with namespace prefixes removed, so `soap:Envelope`, `s:Envelope` and `Envelope` all
 * read as `Envelope`. Throws XmlSyntaxError for malformed input.
 * @example parseXml("<s:Envelope xmlns:s='...'><s:Body/></s:Envelope>").Envelope
 */
export function parseXml(text: string): XmlNode {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg, valid.err.line, valid.err.col);
  return parser.parse(text) as XmlNode;
}

/** The child element `name` (the first one when repeated), or undefined. */
export function child(node: XmlValue, name: string): XmlNode | undefined {
  if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
  const value = node[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === "string" ? { "#text": first } : first;
}

/** Every child element called `name`. */
export function children(node: XmlValue, name: string): XmlNode[] {
  if (!node || typeof node !== "object" || Array.isArray(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === "string" ? { "#text": v } : v));
}

/** Text content of the child `name` (or of the node itself when name is omitted). */
export function text(node: XmlValue, name?: string): string | undefined {
  if (name !== undefined) {
    if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
    const value = node[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") return first;
    return first ? text(first) : undefined;
  }
  if (typeof node === "string") return node;
  if (node && typeof node === "object" && !Array.isArray(node)) {
    const t = node["#text"];
    return typeof t === "string" ? t : "";
  }
  return undefined;
}

/** Attribute value of a parsed element. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === "string" ? value : undefined;
}

/** Names of the element children of a node (attributes and text left out). */
export function elementNames(node: XmlValue): string[] {
  if (!node || typeof node !== "object" || Array.isArray(node)) return [];
  return Object.keys(node).filter((k) => !k.startsWith("@_") && k !== "#text");
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escapes text for XML content and attribute values. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** An element with text, or nothing when the value is undefined. */
export function el(name: string, value: string | number | undefined): string {
  return value === undefined ? "" : `<${name}>${esc(value)}</${name}>`;
}

/** Version values put in the `ServerVersionInfo` header. */
export interface ServerVersion {
  majorVersion: number;
  minorVersion: number;
  majorBuildNumber: number;
  minorBuildNumber: number;
  version: string;
}

/** The `ServerVersionInfo` SOAP header exactly as Exchange 2013+ writes it. */
export function serverVersionHeader(v: ServerVersion): string {
  return (
    `<s:Header><h:ServerVersionInfo MajorVersion="${v.majorVersion}" MinorVersion="${v.minorVersion}" ` +
    `MajorBuildNumber="${v.majorBuildNumber}" MinorBuildNumber="${v.minorBuildNumber}" Version="${esc(v.version)}" ` +
    `xmlns:h="${NS.types}" xmlns="${NS.types}" xmlns:xsi="${NS.xsi}" xmlns:xsd="${NS.xsd}"/></s:Header>`
  );
}

/** A complete EWS response envelope around a body fragment. */
export function ewsEnvelope(v: ServerVersion, body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.soap}">${serverVersionHeader(v)}` +
    `<s:Body xmlns:xsi="${NS.xsi}" xmlns:xsd="${NS.xsd}">${body}</s:Body></s:Envelope>`
  );
}

/** The response element `m:<Op>Response` with `m:ResponseMessages` around messages. */
export function responseMessages(operation: string, messages: string): string {
  return (
    `<m:${operation}Response xmlns:m="${NS.messages}" xmlns:t="${NS.types}">` +
    `<m:ResponseMessages>${messages}</m:ResponseMessages></m:${operation}Response>`
  );
}

/** One `m:<Op>ResponseMessage` with ResponseClass Success. */
export function successMessage(operation: string, content: string): string {
  return (
    `<m:${operation}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>` +
    `${content}</m:${operation}ResponseMessage>`
  );
}

/** An error (or warning) inside a response message, as Exchange sends it with HTTP 200. */
export interface MessageError {
  responseClass?: "Error" | "Warning";
  code: string;
  message: string;
  /** `t:Value Name=...` entries for `m:MessageXml`. */
  values?: Record<string, string>;
}

/** One `m:<Op>ResponseMessage` with ResponseClass Error (or Warning), MessageText, ResponseCode. */
export function errorMessage(operation: string, error: MessageError, trailing = ""): string {
  const values = error.values
    ? `<m:MessageXml>${Object.entries(error.values)
        .map(([k, v]) => `<t:Value Name="${esc(k)}">${esc(v)}</t:Value>`)
        .join("")}</m:MessageXml>`
    : "";
  return (
    `<m:${operation}ResponseMessage ResponseClass="${error.responseClass ?? "Error"}">` +
    `<m:MessageText>${esc(error.message)}</m:MessageText><m:ResponseCode>${error.code}</m:ResponseCode>` +
    `<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>${values}${trailing}</m:${operation}ResponseMessage>`
  );
}

/** Deterministic base64 id in the style of Exchange's opaque ids. */
export function makeId(kind: "F" | "I" | "A", ...parts: (string | number)[]): string {
  return Buffer.from(`AAMk:${kind}:${parts.join(":")}`, "utf8").toString("base64");
}

/** Decodes an id made by makeId, or undefined for a foreign id. */
export function readId(id: string): { kind: string; parts: string[] } | undefined {
  const decoded = Buffer.from(id, "base64").toString("utf8");
  if (!decoded.startsWith("AAMk:")) return undefined;
  const [, kind, ...parts] = decoded.split(":");
  return { kind, parts };
}

/** The ChangeKey Exchange would give an object of this id. */
export function changeKey(id: string): string {
  return Buffer.from(`CQAAABYA${id.slice(-14)}`).toString("base64");
}
