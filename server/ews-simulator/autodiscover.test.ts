import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";
import { NS, child, children, text, type XmlNode } from "./soap";
import { post } from "./test-helpers";

let sim: ExchangeSimulator;
beforeAll(async () => {
  sim = await startExchangeSimulator({ tenant: demoTenant({ users: 10 }) });
});
afterAll(() => sim.close());

const pox = (address: string) =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request>` +
  `<EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;

const soap = (address: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:a="${NS.autodiscover}" xmlns:wsa="${NS.wsa}" xmlns:soap="${NS.soap}"><soap:Header>` +
  `<a:RequestedServerVersion>Exchange2013</a:RequestedServerVersion><wsa:Action>${NS.autodiscover}/Autodiscover/GetUserSettings</wsa:Action></soap:Header>` +
  `<soap:Body><a:GetUserSettingsRequestMessage><a:Request><a:Users><a:User><a:Mailbox>${address}</a:Mailbox></a:User></a:Users>` +
  `<a:RequestedSettings><a:Setting>ExternalEwsUrl</a:Setting><a:Setting>InternalEwsUrl</a:Setting><a:Setting>NoSuchSetting</a:Setting></a:RequestedSettings></a:Request>` +
  `</a:GetUserSettingsRequestMessage></soap:Body></soap:Envelope>`;

function account(xml: XmlNode | undefined): XmlNode | undefined {
  return child(child(child(xml, "Autodiscover"), "Response"), "Account");
}

function userResponse(xml: XmlNode | undefined): XmlNode | undefined {
  const body = child(child(xml, "Envelope"), "Body");
  return child(
    child(child(child(body, "GetUserSettingsResponseMessage"), "Response"), "UserResponses"),
    "UserResponse",
  );
}

describe("POX autodiscover", () => {
  it("returns EXCH and EXPR protocols with the EWS URL", async () => {
    const res = await post(sim.autodiscoverUrl, pox(DEMO.user.address));
    expect(res.status).toBe(200);
    const acct = account(res.xml);
    expect(text(acct, "Action")).toBe("settings");
    expect(children(acct, "Protocol").map((p) => [text(p, "Type"), text(p, "EwsUrl")])).toEqual([
      ["EXCH", sim.ewsUrl],
      ["EXPR", sim.ewsUrl],
    ]);
    expect(sim.counters.byOperation.Autodiscover).toBeGreaterThan(0);
  });

  it("redirects by address and by domain", async () => {
    const addr = account((await post(sim.autodiscoverUrl, pox(DEMO.redirectAddrUser))).xml);
    expect([text(addr, "Action"), text(addr, "RedirectAddr")]).toEqual(["redirectAddr", DEMO.user.address]);
    const url = account((await post(sim.autodiscoverUrl, pox(`someone@${DEMO.redirectUrlDomain}`))).xml);
    expect(text(url, "Action")).toBe("redirectUrl");
    expect(text(url, "RedirectUrl")).toMatch(/^https:\/\/autodiscover\.fabrikam\.com\//);
  });

  it("answers an error for an unknown address and 401 without credentials", async () => {
    const res = await post(sim.autodiscoverUrl, pox(DEMO.noMailboxAddress));
    expect(text(child(child(child(res.xml, "Autodiscover"), "Response"), "Error"), "ErrorCode")).toBe("500");
    expect((await post(sim.autodiscoverUrl, pox(DEMO.user.address), null)).status).toBe(401);
  });
});

describe("SOAP GetUserSettings", () => {
  it("returns InternalEwsUrl and ExternalEwsUrl, and an error for unknown settings", async () => {
    const res = await post(sim.autodiscoverSvcUrl, soap(DEMO.user.address));
    const user = userResponse(res.xml);
    expect(text(user, "ErrorCode")).toBe("NoError");
    const settings = children(child(user, "UserSettings"), "UserSetting").map((s) => [
      text(s, "Name"),
      text(s, "Value"),
    ]);
    expect(settings).toEqual([
      ["ExternalEwsUrl", sim.ewsUrl],
      ["InternalEwsUrl", sim.ewsUrl],
    ]);
    expect(text(child(child(user, "UserSettingErrors"), "UserSettingError"), "SettingName")).toBe(
      "NoSuchSetting",
    );
  });

  it("redirects and rejects unknown users", async () => {
    const redirect = userResponse((await post(sim.autodiscoverSvcUrl, soap(DEMO.redirectAddrUser))).xml);
    expect([text(redirect, "ErrorCode"), text(redirect, "RedirectTarget")]).toEqual([
      "RedirectAddress",
      DEMO.user.address,
    ]);
    const url = userResponse((await post(sim.autodiscoverSvcUrl, soap(`x@${DEMO.redirectUrlDomain}`))).xml);
    expect(text(url, "ErrorCode")).toBe("RedirectUrl");
    const unknown = userResponse((await post(sim.autodiscoverSvcUrl, soap(DEMO.noMailboxAddress))).xml);
    expect(text(unknown, "ErrorCode")).toBe("InvalidUser");
  });

  it("uses the tenant's configured EWS URLs", async () => {
    const tenant = demoTenant({ users: 2 });
    const other = await startExchangeSimulator({
      tenant: {
        ...tenant,
        autodiscover: {
          ...tenant.autodiscover,
          externalEwsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
        },
      },
    });
    try {
      const user = userResponse((await post(other.autodiscoverSvcUrl, soap(DEMO.user.address))).xml);
      expect(text(child(child(user, "UserSettings"), "UserSetting"), "Value")).toBe(
        "https://mail.contoso.com/EWS/Exchange.asmx",
      );
    } finally {
      await other.close();
    }
  });
});
