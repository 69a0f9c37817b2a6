import { XMLParser } from "fast-xml-parser";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { readGatewaySoap, setImpersonation } from "./soap-impersonation";

const envelope = (
  header: string,
  body = `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`,
) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">${header}<soap:Body>${body}</soap:Body></soap:Envelope>`;

const impersonated = (xml: string) => {
  const parsed = new XMLParser({
    removeNSPrefix: true,
    isArray: (name) => name === "ExchangeImpersonation",
  }).parse(xml);
  return (parsed.Envelope.Header.ExchangeImpersonation as any[]).map(
    (e) => e.ConnectingSID.PrimarySmtpAddress,
  );
};

describe("setImpersonation", () => {
  it("adds the header for the mailbox when the request has none", () => {
    expect(impersonated(setImpersonation(envelope(""), "jane@contoso.com"))).toEqual(["jane@contoso.com"]);
  });

  it("replaces an impersonation header the caller sent", () => {
    const soap = envelope(
      `<soap:Header><t:RequestServerVersion Version="Exchange2013"/><t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>ceo@contoso.com</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>`,
    );
    const out = setImpersonation(soap, "jane@contoso.com");
    expect(impersonated(out)).toEqual(["jane@contoso.com"]);
    expect(out).not.toContain("ceo@contoso.com");
    expect(out).toContain(`<t:RequestServerVersion Version="Exchange2013"/>`);
  });

  it("keeps the body byte for byte, entities included", () => {
    const body = `<m:FindItem Traversal="Shallow"><m:Restriction><t:Contains><t:Constant Value="a &amp; b &lt;c&gt;"/></t:Contains></m:Restriction><x>5 &gt; 3 &amp; text</x></m:FindItem>`;
    expect(setImpersonation(envelope("", body), "jane@contoso.com")).toContain(body);
  });

  it("changes nothing but the header: the rest of the request is the caller's text, character for character", () => {
    const header = `<soap:Header>\r\n  <t:RequestServerVersion Version='Exchange2013' />\r\n  <t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>ceo@contoso.com</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>\r\n</soap:Header>`;
    const body = `<m:CreateItem><m:Items><t:Message><t:Subject>Réunion 😀 &#x1F600; <![CDATA[<b>a < b</b>]]></t:Subject></t:Message></m:Items></m:CreateItem>`;
    const out = setImpersonation(envelope(header, body), "jane@contoso.com");
    const ours = `<msa:ExchangeImpersonation xmlns:msa="http://schemas.microsoft.com/exchange/services/2006/types"><msa:ConnectingSID><msa:PrimarySmtpAddress>jane@contoso.com</msa:PrimarySmtpAddress></msa:ConnectingSID></msa:ExchangeImpersonation>`;
    const kept = `<soap:Header>\r\n  <t:RequestServerVersion Version='Exchange2013' />\r\n  \r\n${ours}</soap:Header>`;
    expect(out).toBe(envelope(kept, body));
  });

  it("fills a self-closing header, and an envelope in the default namespace", () => {
    const selfClosing = envelope(`<soap:Header />`);
    expect(impersonated(setImpersonation(selfClosing, "jane@contoso.com"))).toEqual(["jane@contoso.com"]);
    const unprefixed = `<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><GetFolder xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"/></Body></Envelope>`;
    const out = setImpersonation(unprefixed, "jane@contoso.com");
    expect(out).toMatch(
      /^<Envelope xmlns="http:\/\/www\.w3\.org\/2003\/05\/soap-envelope"><Header><msa:ExchangeImpersonation /,
    );
    expect(impersonated(out)).toEqual(["jane@contoso.com"]);
  });

  it("escapes the address, keeps comments and removes a header element off the allow list with all it holds", () => {
    const soap = envelope(
      `<soap:Header><!-- <t:ExchangeImpersonation/> --><t:Other><t:ExchangeImpersonation>nested</t:ExchangeImpersonation></t:Other></soap:Header>`,
    );
    const out = setImpersonation(soap, "a&b<c>@contoso.com");
    expect(out).toContain("<soap:Header><!-- <t:ExchangeImpersonation/> --><msa:ExchangeImpersonation ");
    expect(out).not.toContain("t:Other");
    expect(out).not.toContain("nested");
    expect(out).toContain("<msa:PrimarySmtpAddress>a&amp;b&lt;c&gt;@contoso.com</msa:PrimarySmtpAddress>");
  });

  it.each([
    [
      "two Headers",
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Header/><soap:Body/></soap:Envelope>`,
    ],
    [
      "a Header after the Body",
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/><soap:Header/></soap:Envelope>`,
    ],
    [
      "two Bodies",
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/><soap:Body/></soap:Envelope>`,
    ],
    ["an undefined entity", envelope("", "<x>&secret;</x>")],
    [
      "two root elements",
      `${envelope("")}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`,
    ],
    ["an undeclared prefix", `<soap:Envelope><soap:Body/></soap:Envelope>`],
    ["not XML", "hello"],
    ["unclosed tags", "<soap:Envelope><soap:Body>"],
    ["no envelope", "<root/>"],
    ["an envelope outside the SOAP namespace", `<e:Envelope xmlns:e="urn:other"><e:Body/></e:Envelope>`],
    [
      "no body",
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/></soap:Envelope>`,
    ],
    ["a DTD", `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${envelope("")}`],
  ])("refuses %s with invalid_soap", (_label, soap) => {
    try {
      setImpersonation(soap, "jane@contoso.com");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).id).toBe("invalid_soap");
      expect((error as AppError).status).toBe(400);
    }
  });
});

/** The Header's child elements of a request, as {namespace}local names (namespace-aware, like Exchange reads them). */
function headerElements(xml: string): string[] {
  const parser = new SaxesParser({ xmlns: true });
  const names: string[] = [];
  let depth = 0;
  let inHeader = false;
  parser.on("opentag", (tag) => {
    depth += 1;
    if (depth === 2) inHeader = tag.local === "Header";
    else if (depth === 3 && inHeader) names.push(`{${tag.uri}}${tag.local}`);
  });
  parser.on("closetag", () => {
    depth -= 1;
  });
  parser.write(xml).close();
  return names;
}

const TYPES = "http://schemas.microsoft.com/exchange/services/2006/types";

describe("the SOAP header allow list", () => {
  const kept = [`{${TYPES}}RequestServerVersion`, `{${TYPES}}ExchangeImpersonation`];

  it.each([
    ["OpenAsAdminOrSystemService", `<t:OpenAsAdminOrSystemService LogonType="SystemService"/>`],
    [
      "SerializedSecurityContext",
      `<t:SerializedSecurityContext><t:UserSid>S-1-5-18</t:UserSid><t:GroupSids/></t:SerializedSecurityContext>`,
    ],
    ["an unknown header", `<t:ManagementRole><t:UserRoles/></t:ManagementRole>`],
    ["a header in another namespace", `<x:Anything xmlns:x="urn:other">text</x:Anything>`],
    [
      "OpenAsAdminOrSystemService under another prefix",
      `<evil:OpenAsAdminOrSystemService xmlns:evil="${TYPES}" LogonType="Admin"/>`,
    ],
    [
      "OpenAsAdminOrSystemService in a default namespace",
      `<OpenAsAdminOrSystemService xmlns="${TYPES}" LogonType="Admin"/>`,
    ],
    [
      "SerializedSecurityContext under the messages prefix re-bound to types",
      `<m:SerializedSecurityContext xmlns:m="${TYPES}"><m:UserSid>S-1-5-18</m:UserSid></m:SerializedSecurityContext>`,
    ],
    [
      "an allowed name in a foreign namespace",
      `<t:RequestServerVersion xmlns:t="urn:evil" Version="Exchange2013"/>`,
    ],
    [
      "a forbidden header after a comment and CDATA that mention allowed ones",
      `<!-- <t:RequestServerVersion/> --><![CDATA[<t:MailboxCulture>]]><t:OpenAsAdminOrSystemService LogonType="SystemService"/>`,
    ],
    [
      "a forbidden header whose content carries entities and CDATA",
      `<t:SerializedSecurityContext>&lt;x&gt;<![CDATA[</t:SerializedSecurityContext>]]></t:SerializedSecurityContext>`,
    ],
    [
      "a second ExchangeImpersonation in a default namespace",
      `<ExchangeImpersonation xmlns="${TYPES}"><ConnectingSID><PrimarySmtpAddress>ceo@contoso.com</PrimarySmtpAddress></ConnectingSID></ExchangeImpersonation>`,
    ],
  ])("removes %s before forwarding", (_label, forbidden) => {
    const soap = envelope(
      `<soap:Header><t:RequestServerVersion Version="Exchange2013"/>${forbidden}</soap:Header>`,
    );
    const out = setImpersonation(soap, "jane@contoso.com");
    expect(headerElements(out)).toEqual(kept);
    expect(out).not.toMatch(/OpenAsAdminOrSystemService|SerializedSecurityContext|S-1-5-18|ceo@/);
    expect(impersonated(out)).toEqual(["jane@contoso.com"]);
  });

  it("keeps the four allowed headers, under any prefix, as the caller wrote them", () => {
    const allowed =
      `<t:RequestServerVersion Version="Exchange2016"/><t:MailboxCulture>de-DE</t:MailboxCulture>` +
      `<tt:TimeZoneContext xmlns:tt="${TYPES}"><tt:TimeZoneDefinition Id="W. Europe Standard Time"/></tt:TimeZoneContext>` +
      `<DateTimePrecision xmlns="${TYPES}">Milliseconds</DateTimePrecision>`;
    const out = setImpersonation(
      envelope(`<soap:Header>${allowed}<t:OpenAsAdminOrSystemService/></soap:Header>`),
      "jane@contoso.com",
    );
    expect(out).toContain(`<soap:Header>${allowed}<msa:ExchangeImpersonation`);
    expect(headerElements(out)).toEqual([
      `{${TYPES}}RequestServerVersion`,
      `{${TYPES}}MailboxCulture`,
      `{${TYPES}}TimeZoneContext`,
      `{${TYPES}}DateTimePrecision`,
      `{${TYPES}}ExchangeImpersonation`,
    ]);
  });
});

describe("readGatewaySoap", () => {
  it("names the operation and its namespace, and notices folder permissions", () => {
    expect(readGatewaySoap(envelope(""))).toMatchObject({ operation: "GetFolder", isEws: true });
    const foreign = readGatewaySoap(envelope("", `<x:GetFolder xmlns:x="urn:other"/>`));
    expect(foreign).toMatchObject({ operation: "GetFolder", isEws: false });
    const create = readGatewaySoap(
      envelope(
        "",
        `<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>x</t:DisplayName><t:PermissionSet><t:Permissions/></t:PermissionSet></t:Folder></m:Folders></m:CreateFolder>`,
      ),
    );
    expect(create).toMatchObject({ operation: "CreateFolder", touchesPermissions: true });
    const deleteField = readGatewaySoap(
      envelope(
        "",
        `<m:UpdateFolder><m:FolderChanges><t:FolderChange><t:FolderId Id="a"/><t:Updates><t:DeleteFolderField><t:FieldURI FieldURI="folder:PermissionSet"/></t:DeleteFolderField></t:Updates></t:FolderChange></m:FolderChanges></m:UpdateFolder>`,
      ),
    );
    expect(deleteField).toMatchObject({ operation: "UpdateFolder", touchesPermissions: true });
    expect(readGatewaySoap(envelope(""))).toMatchObject({ touchesPermissions: false });
  });

  it.each([
    ["two operations", `<m:GetFolder/><m:DeleteItem/>`],
    ["two operations with a comment between", `<m:GetFolder/><!-- x --><m:EmptyFolder/>`],
    ["no operation", ``],
  ])("refuses a Body with %s", (_label, body) => {
    expect(() => readGatewaySoap(envelope("", body))).toThrow(AppError);
  });
});
