import { randomUUID } from "node:crypto";
import { NS, child, children, el, esc, text, type ServerVersion, type XmlNode } from "./soap";
import type { ResolvedMailbox, TenantIndex } from "./tenant";

const POX_RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
const POX_OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/** EWS URLs autodiscover hands out. */
export interface EwsUrls {
  internal: string;
  external: string;
}

type Lookup =
  | { kind: "mailbox"; mailbox: ResolvedMailbox }
  | { kind: "redirectAddr"; target: string }
  | { kind: "redirectUrl"; target: string }
  | { kind: "unknown" };

/** Looks an address up: a configured redirect first (address, then `@domain`), then the mailboxes. */
export function lookupAutodiscover(index: TenantIndex, rawAddress: string): Lookup {
  const address = rawAddress.trim().toLowerCase();
  const domain = `@${address.split("@")[1] ?? ""}`;
  const redirects = index.tenant.autodiscover.redirects;
  const redirect = redirects.find((r) => r.match === address) ?? redirects.find((r) => r.match === domain);
  if (redirect?.redirectAddr) return { kind: "redirectAddr", target: redirect.redirectAddr };
  if (redirect?.redirectUrl) return { kind: "redirectUrl", target: redirect.redirectUrl };
  const mailbox = index.byAddress.get(address);
  return mailbox ? { kind: "mailbox", mailbox } : { kind: "unknown" };
}

/** The EWS URLs for a tenant, falling back to the simulator's own. */
export function ewsUrlsFor(index: TenantIndex, ownEwsUrl: string): EwsUrls {
  const a = index.tenant.autodiscover;
  return { internal: a.internalEwsUrl ?? ownEwsUrl, external: a.externalEwsUrl ?? ownEwsUrl };
}

function legacyDn(m: ResolvedMailbox): string {
  return `/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=${m.primarySmtpAddress.split("@")[0]}`;
}

/** Answers a POX request (`/autodiscover/autodiscover.xml`); always HTTP 200, errors in the body. */
export function poxAutodiscover(index: TenantIndex, request: XmlNode, urls: EwsUrls): string {
  const address = text(child(child(request, "Autodiscover"), "Request"), "EMailAddress") ?? "";
  const found = lookupAutodiscover(index, address);
  const head = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${POX_RESPONSE_NS}">`;
  if (found.kind === "unknown") {
    const time = new Date().toISOString().slice(11, 23);
    return (
      `${head}<Response><Error Time="${time}" Id="${Math.floor(Math.random() * 4e9)}"><ErrorCode>500</ErrorCode>` +
      `<Message>The email address can't be found.</Message><DebugData /></Error></Response></Autodiscover>`
    );
  }
  const open = `${head}<Response xmlns="${POX_OUTLOOK_NS}">`;
  if (found.kind === "redirectAddr") {
    return `${open}<Account><AccountType>email</AccountType><Action>redirectAddr</Action>${el("RedirectAddr", found.target)}</Account></Response></Autodiscover>`;
  }
  if (found.kind === "redirectUrl") {
    return `${open}<Account><AccountType>email</AccountType><Action>redirectUrl</Action>${el("RedirectUrl", found.target)}</Account></Response></Autodiscover>`;
  }
  const m = found.mailbox;
  const host = new URL(urls.internal).host;
  return (
    `${open}<User>${el("DisplayName", m.displayName)}${el("LegacyDN", legacyDn(m))}` +
    `${el("AutoDiscoverSMTPAddress", m.primarySmtpAddress)}<DeploymentId>${randomUUID()}</DeploymentId></User>` +
    `<Account><AccountType>email</AccountType><Action>settings</Action><MicrosoftOnline>False</MicrosoftOnline>` +
    `<Protocol><Type>EXCH</Type>${el("Server", host)}${el("ASUrl", urls.internal)}${el("EwsUrl", urls.internal)}${el("EmwsUrl", urls.internal)}</Protocol>` +
    `<Protocol><Type>EXPR</Type>${el("Server", new URL(urls.external).host)}${el("ASUrl", urls.external)}${el("EwsUrl", urls.external)}${el("EmwsUrl", urls.external)}</Protocol>` +
    `</Account></Response></Autodiscover>`
  );
}

function settingValue(
  name: string,
  m: ResolvedMailbox,
  urls: EwsUrls,
  version: ServerVersion,
): string | undefined {
  switch (name) {
    case "InternalEwsUrl":
      return urls.internal;
    case "ExternalEwsUrl":
      return urls.external;
    case "UserDisplayName":
      return m.displayName;
    case "UserDN":
      return legacyDn(m);
    case "AutoDiscoverSMTPAddress":
      return m.primarySmtpAddress;
    case "CasVersion":
      return `${version.majorVersion}.${String(version.minorVersion).padStart(2, "0")}.${version.majorBuildNumber}.${String(version.minorBuildNumber).padStart(3, "0")}`;
    case "EwsSupportedSchemas":
      return "Exchange2007, Exchange2007_SP1, Exchange2010, Exchange2010_SP1, Exchange2010_SP2, Exchange2013, Exchange2013_SP1, Exchange2015, Exchange2016";
    default:
      return undefined;
  }
}

function userResponse(
  index: TenantIndex,
  address: string,
  settings: string[],
  urls: EwsUrls,
  version: ServerVersion,
): string {
  const found = lookupAutodiscover(index, address);
  const simple = (code: string, message: string, target?: string) =>
    `<UserResponse><ErrorCode>${code}</ErrorCode><ErrorMessage>${esc(message)}</ErrorMessage>` +
    `${target ? el("RedirectTarget", target) : '<RedirectTarget i:nil="true"/>'}<UserSettingErrors/><UserSettings/></UserResponse>`;
  if (found.kind === "unknown") return simple("InvalidUser", `Invalid user: '${address}'`);
  if (found.kind === "redirectAddr") return simple("RedirectAddress", "Redirection address.", found.target);
  if (found.kind === "redirectUrl") return simple("RedirectUrl", "Redirection URL.", found.target);
  let values = "";
  let errors = "";
  for (const name of settings) {
    const value = settingValue(name, found.mailbox, urls, version);
    if (value === undefined) {
      errors += `<UserSettingError><ErrorCode>InvalidSetting</ErrorCode><ErrorMessage>The requested setting is invalid.</ErrorMessage>${el("SettingName", name)}</UserSettingError>`;
    } else {
      values += `<UserSetting i:type="StringSetting">${el("Name", name)}${el("Value", value)}</UserSetting>`;
    }
  }
  return (
    `<UserResponse><ErrorCode>NoError</ErrorCode><ErrorMessage>No error.</ErrorMessage><RedirectTarget i:nil="true"/>` +
    `<UserSettingErrors>${errors}</UserSettingErrors><UserSettings>${values}</UserSettings></UserResponse>`
  );
}

/** Answers SOAP `GetUserSettings` (`/autodiscover/autodiscover.svc`) in the Autodiscover 2010 namespace. */
export function soapGetUserSettings(
  index: TenantIndex,
  envelope: XmlNode,
  urls: EwsUrls,
  version: ServerVersion,
): string | undefined {
  const body = child(child(envelope, "Envelope"), "Body");
  const request = child(child(body, "GetUserSettingsRequestMessage"), "Request");
  if (!request) return undefined;
  const users = children(child(request, "Users"), "User").map((u) => text(u, "Mailbox") ?? "");
  const settings = children(child(request, "RequestedSettings"), "Setting").map((s) => text(s) ?? "");
  const header =
    `<s:Header><a:Action s:mustUnderstand="1">${NS.autodiscover}/Autodiscover/GetUserSettingsResponse</a:Action>` +
    `<h:ServerVersionInfo xmlns:h="${NS.autodiscover}" xmlns:i="${NS.xsi}"><h:MajorVersion>${version.majorVersion}</h:MajorVersion>` +
    `<h:MinorVersion>${version.minorVersion}</h:MinorVersion><h:MajorBuildNumber>${version.majorBuildNumber}</h:MajorBuildNumber>` +
    `<h:MinorBuildNumber>${version.minorBuildNumber}</h:MinorBuildNumber><h:Version>Exchange2015</h:Version></h:ServerVersionInfo></s:Header>`;
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.wsa}">${header}<s:Body>` +
    `<GetUserSettingsResponseMessage xmlns="${NS.autodiscover}"><Response xmlns:i="${NS.xsi}"><ErrorCode>NoError</ErrorCode>` +
    `<ErrorMessage/><UserResponses>${users.map((u) => userResponse(index, u, settings, urls, version)).join("")}</UserResponses>` +
    `</Response></GetUserSettingsResponseMessage></s:Body></s:Envelope>`
  );
}
