import { StringDecoder } from "node:string_decoder";
import { SaxesParser } from "saxes";

/** What an autodiscover answer says: an EWS URL, a redirect (address or URL), or an error. */
export type AutodiscoverAnswer =
  | { kind: "ews"; url: string }
  | { kind: "redirectAddr"; email: string }
  | { kind: "redirectUrl"; url: string }
  | { kind: "error"; message: string };

/**
 * Deepest nesting read: autodiscover answers nest about 6 deep. Deeper input stops the walk, since the
 * XML parser's work per element grows with the depth (measured: quadratic for unclosed elements).
 */
const MAX_DEPTH = 32;

/** Bytes handed to the parser at a time. */
const PIECE = 16 * 1024;

/** Text kept per element: URLs and messages are short; an answer may be up to 1 MB (see autodiscover.ts). */
const MAX_TEXT = 8192;

/**
 * Reads an XML answer once, in one pass (saxes: linear in the answer's size), and calls `onText` with
 * each element's local name, its ancestors' local names and its text. Malformed XML ends the walk
 * (or nested deeper than MAX_DEPTH) ends the walk quietly: what was read so far counts, and the callers treat "nothing found" as a failed step.
 */
function walk(
  xml: string,
  onText: (name: string, path: readonly string[], text: string, open: ReadonlyMap<string, number>) => void,
): void {
  const parser = new SaxesParser({ xmlns: false });
  const path: string[] = [];
  const texts: string[] = [];
  // How many elements of each name are open: "inside X?" in constant time, however deep the nesting.
  const open = new Map<string, number>();
  parser.on("opentag", (tag) => {
    if (path.length >= MAX_DEPTH) throw new Error("The answer nests too deep.");
    const colon = tag.name.indexOf(":");
    const name = colon >= 0 ? tag.name.slice(colon + 1) : tag.name;
    path.push(name);
    open.set(name, (open.get(name) ?? 0) + 1);
    texts.push("");
  });
  parser.on("text", (text) => {
    if (texts.length === 0) return;
    const current = texts[texts.length - 1];
    if (current.length < MAX_TEXT) {
      texts[texts.length - 1] = current + text.slice(0, MAX_TEXT - current.length);
    }
  });
  parser.on("closetag", () => {
    const name = path.pop()!;
    const text = texts.pop()!;
    open.set(name, open.get(name)! - 1);
    onText(name, path, text.trim(), open);
  });
  try {
    // Fed in pieces, as it would come off the wire: small fresh strings keep the parser's time per byte
    // flat (one 1 MB string measured about twice as slow per byte as 100 KB).
    const bytes = Buffer.from(xml, "utf8");
    const decoder = new StringDecoder("utf8");
    for (let i = 0; i < bytes.length; i += PIECE) parser.write(decoder.write(bytes.subarray(i, i + PIECE)));
    parser.write(decoder.end()).close();
  } catch {
    // Not well-formed: keep what was read before the error.
  }
}

/**
 * Parses a POX answer (`autodiscover.xml`, Outlook response schema 2006a): `Action` redirectAddr or
 * redirectUrl, else the EWS URL of the EXPR protocol (outside), then EXCH (inside), then any.
 * @example parsePox(answer.body) // { kind: "ews", url: "https://mail.contoso.com/EWS/Exchange.asmx" }
 */
export function parsePox(xml: string): AutodiscoverAnswer {
  let action: string | undefined;
  let redirectAddr: string | undefined;
  let redirectUrl: string | undefined;
  let message: string | undefined;
  // Only the first EWS URL per protocol type is kept: memory stays flat however many protocols come.
  const firstUrl = new Map<string, string>();
  let anyUrl: string | undefined;
  let current: { type?: string; ewsUrl?: string } = {};
  walk(xml, (name, path, text) => {
    const parent = path[path.length - 1];
    if (name === "Protocol") {
      if (current.ewsUrl) {
        anyUrl ??= current.ewsUrl;
        if (current.type && !firstUrl.has(current.type)) firstUrl.set(current.type, current.ewsUrl);
      }
      current = {};
    } else if (parent === "Protocol" && name === "Type") current.type = text;
    else if (parent === "Protocol" && name === "EwsUrl") current.ewsUrl = text;
    else if (name === "Action" && action === undefined) action = text;
    else if (name === "RedirectAddr" && redirectAddr === undefined) redirectAddr = text;
    else if (name === "RedirectUrl" && redirectUrl === undefined) redirectUrl = text;
    else if (name === "Message" && message === undefined) message = text;
  });
  if (action === "redirectAddr") return { kind: "redirectAddr", email: redirectAddr ?? "" };
  if (action === "redirectUrl") return { kind: "redirectUrl", url: redirectUrl ?? "" };
  const chosen = firstUrl.get("EXPR") ?? firstUrl.get("EXCH") ?? anyUrl;
  if (chosen) return { kind: "ews", url: chosen };
  return { kind: "error", message: message || "The response has no EWS URL." };
}

/**
 * Parses a SOAP `GetUserSettings` answer (Autodiscover 2010): the first `UserResponse`'s ErrorCode
 * (RedirectAddress, RedirectUrl) or its ExternalEwsUrl / InternalEwsUrl settings.
 * @example parseSoap(answer.body) // { kind: "redirectUrl", url: "https://autodiscover.fabrikam.com/..." }
 */
export function parseSoap(xml: string): AutodiscoverAnswer {
  let users = 0;
  const first = { errorCode: undefined as string | undefined, message: undefined as string | undefined };
  let target: string | undefined;
  const top = { errorCode: undefined as string | undefined, message: undefined as string | undefined };
  const settings = new Map<string, string>();
  let setting: { name?: string; value?: string } = {};
  walk(xml, (name, path, text, open) => {
    const inUser = (open.get("UserResponse") ?? 0) > 0;
    if (name === "UserResponse") {
      users += 1;
      return;
    }
    // Children close before their parent: once the first UserResponse has closed, later ones are skipped.
    if (inUser && users > 0) return;
    if (inUser) {
      const parent = path[path.length - 1];
      if (parent === "UserResponse" && name === "ErrorCode") first.errorCode = text;
      else if (parent === "UserResponse" && name === "ErrorMessage") first.message = text;
      else if (parent === "UserResponse" && name === "RedirectTarget") target = text;
      else if (parent === "UserSetting" && name === "Name") setting.name = text;
      else if (parent === "UserSetting" && name === "Value") setting.value = text;
      else if (name === "UserSetting") {
        if (setting.name && setting.value !== undefined && !settings.has(setting.name)) {
          settings.set(setting.name, setting.value);
        }
        setting = {};
      }
      return;
    }
    if (name === "ErrorCode" && top.errorCode === undefined) top.errorCode = text;
    else if (name === "ErrorMessage" && top.message === undefined) top.message = text;
  });
  const code = first.errorCode ?? top.errorCode;
  if (code === "RedirectAddress") return { kind: "redirectAddr", email: target ?? "" };
  if (code === "RedirectUrl") return { kind: "redirectUrl", url: target ?? "" };
  const url = settings.get("ExternalEwsUrl") || settings.get("InternalEwsUrl");
  if (url) return { kind: "ews", url };
  return {
    kind: "error",
    message: first.message || top.message || `Autodiscover answered ${code ?? "no settings"}.`,
  };
}
