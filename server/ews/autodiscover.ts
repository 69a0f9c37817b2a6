import type { ConnectivityStep } from "../domain/access-outcome";
import { failure, mapFailure } from "./errors";
import type { EwsTransport, HttpAnswer } from "./transport";

/** Options of one autodiscover run. */
export interface AutodiscoverOptions {
  transport: EwsTransport;
  /** Service account credentials (on-premises autodiscover needs them). */
  credentials?: { logon: string; password: string };
  /** Where to start for a domain; default: the POX URLs on the domain and autodiscover.<domain>, then SOAP. */
  candidates?: (domain: string) => string[];
  signal?: AbortSignal;
  /** Redirect hops allowed, HTTP and autodiscover ones together (10). */
  maxHops?: number;
}

/** The EWS URL found (or null) and every step taken, for the connectivity test's first step. */
export interface AutodiscoverResult {
  ewsUrl: string | null;
  steps: ConnectivityStep[];
}

const POX_REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
const POX_RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/** The standard places Outlook tries, in order. */
export function defaultCandidates(domain: string): string[] {
  return [
    `https://${domain}/autodiscover/autodiscover.xml`,
    `https://autodiscover.${domain}/autodiscover/autodiscover.xml`,
    `https://autodiscover.${domain}/autodiscover/autodiscover.svc`,
  ];
}

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const tag = (xml: string, name: string) =>
  new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:\\w+:)?${name}>`).exec(xml)?.[1]?.trim();

function poxBody(email: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${POX_REQUEST_NS}"><Request><EMailAddress>${esc(email)}</EMailAddress><AcceptableResponseSchema>${POX_RESPONSE_NS}</AcceptableResponseSchema></Request></Autodiscover>`;
}

function soapBody(email: string, url: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:a="http://schemas.microsoft.com/exchange/2010/Autodiscover" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">` +
    `<soap:Header><a:RequestedServerVersion>Exchange2013</a:RequestedServerVersion><wsa:Action>http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettings</wsa:Action><wsa:To>${esc(url)}</wsa:To></soap:Header>` +
    `<soap:Body><a:GetUserSettingsRequestMessage><a:Request><a:Users><a:User><a:Mailbox>${esc(email)}</a:Mailbox></a:User></a:Users>` +
    `<a:RequestedSettings><a:Setting>ExternalEwsUrl</a:Setting><a:Setting>InternalEwsUrl</a:Setting></a:RequestedSettings></a:Request></a:GetUserSettingsRequestMessage></soap:Body></soap:Envelope>`
  );
}

type Parsed =
  | { kind: "ews"; url: string }
  | { kind: "redirectAddr"; email: string }
  | { kind: "redirectUrl"; url: string }
  | { kind: "error"; message: string };

function parsePox(body: string): Parsed {
  const action = tag(body, "Action");
  if (action === "redirectAddr") return { kind: "redirectAddr", email: tag(body, "RedirectAddr") ?? "" };
  if (action === "redirectUrl") return { kind: "redirectUrl", url: tag(body, "RedirectUrl") ?? "" };
  const protocols = [...body.matchAll(/<(?:\w+:)?Protocol>([\s\S]*?)<\/(?:\w+:)?Protocol>/g)].map(
    (m) => m[1],
  );
  const pick = (type: string) => protocols.find((p) => tag(p, "Type") === type && tag(p, "EwsUrl"));
  const chosen = pick("EXPR") ?? pick("EXCH") ?? protocols.find((p) => tag(p, "EwsUrl"));
  if (chosen) return { kind: "ews", url: tag(chosen, "EwsUrl")! };
  return { kind: "error", message: tag(body, "Message") ?? "The response has no EWS URL." };
}

function parseSoap(body: string): Parsed {
  const user = /<(?:\w+:)?UserResponse>([\s\S]*?)<\/(?:\w+:)?UserResponse>/.exec(body)?.[1] ?? body;
  const code = tag(user, "ErrorCode");
  if (code === "RedirectAddress") return { kind: "redirectAddr", email: tag(user, "RedirectTarget") ?? "" };
  if (code === "RedirectUrl") return { kind: "redirectUrl", url: tag(user, "RedirectTarget") ?? "" };
  const settings = new Map(
    [...user.matchAll(/<(?:\w+:)?UserSetting\b[^>]*>([\s\S]*?)<\/(?:\w+:)?UserSetting>/g)].map((m) => [
      tag(m[1], "Name"),
      tag(m[1], "Value"),
    ]),
  );
  const url = settings.get("ExternalEwsUrl") ?? settings.get("InternalEwsUrl");
  if (url) return { kind: "ews", url };
  return {
    kind: "error",
    message: tag(user, "ErrorMessage") ?? `Autodiscover answered ${code ?? "no settings"}.`,
  };
}

/**
 * Finds the EWS URL for an address: POX then SOAP autodiscover from the address's domain, following
 * HTTP redirects and autodiscover redirects (address or URL), each hop re-checked by the URL policy.
 * @example const { ewsUrl, steps } = await autodiscover("jane@contoso.com", { transport, credentials });
 */
export async function autodiscover(email: string, options: AutodiscoverOptions): Promise<AutodiscoverResult> {
  const steps: ConnectivityStep[] = [];
  const maxHops = options.maxHops ?? 10;
  let hops = 0;
  let address = email.trim();
  const auth: Record<string, string> = options.credentials
    ? {
        Authorization: `Basic ${Buffer.from(`${options.credentials.logon}:${options.credentials.password}`, "utf8").toString("base64")}`,
      }
    : {};
  const tried = new Set<string>();

  restart: for (;;) {
    const domain = address.split("@")[1]?.toLowerCase() ?? "";
    const queue = (options.candidates ?? defaultCandidates)(domain);
    while (queue.length > 0) {
      let url = queue.shift()!;
      if (tried.has(`${address}|${url}`)) continue;
      tried.add(`${address}|${url}`);
      for (;;) {
        const soap = /\.svc(\?|$)/i.test(new URL(url, "https://x").pathname);
        const started = performance.now();
        const step = (
          status: ConnectivityStep["status"],
          detail: string,
          extra: Partial<ConnectivityStep> = {},
        ) =>
          steps.push({
            name: `Autodiscover (${soap ? "SOAP" : "POX"}) ${url}`,
            status,
            ms: Math.round(performance.now() - started),
            detail,
            ...extra,
          });
        let answer: HttpAnswer;
        try {
          answer = await options.transport.request({
            url,
            method: "POST",
            headers: { "Content-Type": "text/xml; charset=utf-8", ...auth },
            body: soap ? soapBody(address, url) : poxBody(address),
            signal: options.signal,
            timeoutMs: 15_000,
          });
        } catch (error) {
          const f = mapFailure({ error }, { ewsUrl: url });
          step("failed", f.raw ?? f.message, { code: f.code, remediation: f.remediation });
          if (f.code === "Aborted") return { ewsUrl: null, steps };
          break;
        }
        if ([301, 302, 303, 307, 308].includes(answer.status) && answer.headers.location) {
          const next = new URL(answer.headers.location, url).toString();
          step("passed", `HTTP ${answer.status} redirect to ${next}`);
          if (++hops > maxHops) return fail(steps, "Too many autodiscover redirects.");
          url = next;
          continue;
        }
        if (answer.status !== 200) {
          const f = mapFailure(
            { answer, usedBasic: Boolean(options.credentials) },
            { ewsUrl: url, serviceAccount: options.credentials?.logon },
          );
          const detail =
            answer.status === 401 && !options.credentials
              ? "HTTP 401: autodiscover needs the service account's credentials. Save the account first."
              : (f.raw ?? f.message);
          step("failed", detail, { code: f.code, remediation: f.remediation });
          break;
        }
        const parsed = soap ? parseSoap(answer.body) : parsePox(answer.body);
        if (parsed.kind === "ews") {
          step("passed", `EWS URL: ${parsed.url}`);
          return { ewsUrl: parsed.url, steps };
        }
        if (parsed.kind === "redirectAddr") {
          step("passed", `Redirected to the address ${parsed.email}`);
          if (++hops > maxHops || !parsed.email.includes("@")) {
            return fail(steps, "Too many autodiscover redirects.");
          }
          address = parsed.email;
          continue restart;
        }
        if (parsed.kind === "redirectUrl") {
          step("passed", `Redirected to ${parsed.url}`);
          if (++hops > maxHops) return fail(steps, "Too many autodiscover redirects.");
          url = parsed.url;
          continue;
        }
        step("failed", parsed.message, {
          code: "AutodiscoverError",
          remediation:
            "Check that the address has a mailbox and that autodiscover is published for its domain.",
        });
        break;
      }
    }
    return fail(steps, `No autodiscover endpoint answered for ${address}.`);
  }
}

function fail(steps: ConnectivityStep[], detail: string): AutodiscoverResult {
  const f = failure("AutodiscoverFailed");
  steps.push({
    name: "Resolve EWS URL",
    status: "failed",
    ms: 0,
    detail,
    code: f.code,
    remediation: f.remediation,
  });
  return { ewsUrl: null, steps };
}
