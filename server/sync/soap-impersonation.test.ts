import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { setImpersonation } from "./soap-impersonation";

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
