import { NS, parseXml, type XmlNode } from "./soap";
import { DEMO } from "./demo-tenant";

/** Credentials for a test request: Basic (logon/password) or a bearer token. */
export type TestAuth = { logon: string; password: string } | { bearer: string } | null;

export const SVC: TestAuth = { logon: DEMO.serviceAccount.logon, password: DEMO.serviceAccount.password };

/** A SOAP request envelope with `soap:`/`t:`/`m:` prefixes (as ews-javascript-api writes them). */
export function envelope(
  body: string,
  options: { impersonate?: string; connectingSid?: string; version?: string } = {},
): string {
  const sid =
    options.connectingSid ??
    (options.impersonate ? `<t:SmtpAddress>${options.impersonate}</t:SmtpAddress>` : undefined);
  const impersonation = sid
    ? `<t:ExchangeImpersonation><t:ConnectingSID>${sid}</t:ConnectingSID></t:ExchangeImpersonation>`
    : "";
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${NS.soap}" xmlns:t="${NS.types}" xmlns:m="${NS.messages}">` +
    `<soap:Header><t:RequestServerVersion Version="${options.version ?? "Exchange2013"}"/>${impersonation}</soap:Header>` +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

/** GetFolder body for distinguished folders, optionally with a Mailbox element. */
export function getFolderBody(ids: string[], mailbox?: string, shape = "Default"): string {
  const mb = mailbox ? `<t:Mailbox><t:EmailAddress>${mailbox}</t:EmailAddress></t:Mailbox>` : "";
  const folderIds = ids
    .map((id) => `<t:DistinguishedFolderId Id="${id}">${mb}</t:DistinguishedFolderId>`)
    .join("");
  return `<m:GetFolder><m:FolderShape><t:BaseShape>${shape}</t:BaseShape></m:FolderShape><m:FolderIds>${folderIds}</m:FolderIds></m:GetFolder>`;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body (prefixes removed); undefined when the body is not XML. */
  xml: XmlNode | undefined;
}

/** POSTs XML to a URL with the given credentials. */
export async function post(url: string, body: string, auth: TestAuth = SVC): Promise<TestResponse> {
  const headers: Record<string, string> = { "Content-Type": "text/xml; charset=utf-8" };
  if (auth && "bearer" in auth) headers.Authorization = `Bearer ${auth.bearer}`;
  else if (auth) {
    headers.Authorization = `Basic ${Buffer.from(`${auth.logon}:${auth.password}`).toString("base64")}`;
  }
  const res = await fetch(url, { method: "POST", headers, body });
  const text = await res.text();
  let xml: XmlNode | undefined;
  try {
    xml = text ? parseXml(text) : undefined;
  } catch {
    xml = undefined;
  }
  return { status: res.status, headers: res.headers, text, xml };
}

/** The `faultcode`, `e:ResponseCode` and MessageXml values of a SOAP fault response. */
export function faultOf(res: TestResponse): {
  faultcode: string;
  code: string;
  message: string;
  values: Record<string, string>;
} {
  const fault = (((res.xml?.Envelope as XmlNode)?.Body as XmlNode)?.Fault ?? {}) as XmlNode;
  const detail = (fault.detail ?? {}) as XmlNode;
  const values: Record<string, string> = {};
  const raw = (detail.MessageXml as XmlNode | undefined)?.Value;
  for (const v of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
    if (typeof v === "object") values[xmlText(v["@_Name"])] = xmlText(v["#text"]);
  }
  const text = (x: unknown) =>
    xmlText(typeof x === "object" && x && !Array.isArray(x) ? (x as XmlNode)["#text"] : x);
  return {
    faultcode: text(fault.faultcode),
    code: text(detail.ResponseCode),
    message: text(detail.Message),
    values,
  };
}

/** Every `ResponseCode` value in a response body, in order. */
export function responseCodes(res: TestResponse): string[] {
  return [...res.text.matchAll(/<(?:\w+:)?ResponseCode>(\w+)</g)].map((m) => m[1]);
}

function xmlText(x: unknown): string {
  return typeof x === "string" ? x : "";
}
