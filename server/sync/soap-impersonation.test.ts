import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { setImpersonation } from "./soap-impersonation";

const envelope = (header: string, body = `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">${header}<soap:Body>${body}</soap:Body></soap:Envelope>`;

const impersonated = (xml: string) => {
  const parsed = new XMLParser({ removeNSPrefix: true, isArray: (name) => name === "ExchangeImpersonation" }).parse(xml);
  return (parsed.Envelope.Header.ExchangeImpersonation as any[]).map((e) => e.ConnectingSID.PrimarySmtpAddress);
};

describe("setImpersonation", () => {
  it("adds the header for the mailbox when the request has none", () => {
    expect(impersonated(setImpersonation(envelope(""), "jane@contoso.com"))).toEqual(["jane@contoso.com"]);
  });

  it("replaces an impersonation header the caller sent", () => {
    const soap = envelope(`<soap:Header><t:RequestServerVersion Version="Exchange2013"/><t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>ceo@contoso.com</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>`);
    const out = setImpersonation(soap, "jane@contoso.com");
    expect(impersonated(out)).toEqual(["jane@contoso.com"]);
    expect(out).not.toContain("ceo@contoso.com");
    expect(out).toContain(`<t:RequestServerVersion Version="Exchange2013"/>`);
  });

  it("keeps the body byte for byte, entities included", () => {
    const body = `<m:FindItem Traversal="Shallow"><m:Restriction><t:Contains><t:Constant Value="a &amp; b &lt;c&gt;"/></t:Contains></m:Restriction><x>5 &gt; 3 &amp; text</x></m:FindItem>`;
    expect(setImpersonation(envelope("", body), "jane@contoso.com")).toContain(body);
  });

  it.each([
    ["not XML", "hello"],
    ["unclosed tags", "<soap:Envelope><soap:Body>"],
    ["no envelope", "<root/>"],
    ["an envelope outside the SOAP namespace", `<e:Envelope xmlns:e="urn:other"><e:Body/></e:Envelope>`],
    ["no body", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/></soap:Envelope>`],
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
