import type { ConnectivityStep } from "../domain/access-outcome";
import { parsePox, parseSoap } from "./autodiscover-parse";
import { failure, mapFailure } from "./errors";
import type { EwsTransport, HttpAnswer } from "./transport";

/** Autodiscover answers are read up to this size; a longer one is a failed step (TransportError ResponseTooLarge). */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** Service account credentials lent to autodiscover (on-premises autodiscover needs them). */
export interface AutodiscoverCredentials {
  logon: string;
  password: string;
  /** The hosts the password was entered for (see credentialHostsFor); no other host ever receives it. */
  mayReceive: (host: string) => boolean;
}

/** Options of one autodiscover run. */
export interface AutodiscoverOptions {
  transport: Pick<EwsTransport, "request">;
  credentials?: AutodiscoverCredentials;
  /** A host the admin confirmed: it may receive the credentials when a redirect from a trusted host led there. */
  confirmHost?: string;
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
  /** A redirect led to a host outside the credentials' hosts that asks for them: the admin may confirm it. */
  confirmRedirect?: { host: string; url: string };
  /** Hosts the credentials were sent to (for the audit). */
  sentTo: string[];
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

/** True when a 401's challenges offer Basic (Exchange's IIS lists Negotiate, NTLM and, when enabled, Basic). */
export function offersBasic(challenges: string[]): boolean {
  return challenges.some((c) => /^basic(\s|,|$)/i.test(c.trim()));
}

/**
 * Finds the EWS URL for an address: POX then SOAP autodiscover from the address's domain, following
 * HTTP redirects and autodiscover redirects (address or URL), each hop re-checked by the URL policy.
 * Every request goes out without credentials; they are added only after a 401 that offers Basic, from a
 * host `credentials.mayReceive` accepts (or `confirmHost`, when a redirect from such a host led there).
 * A redirect never carries them: a host outside the set that asks for them ends the walk with
 * `confirmRedirect`, naming it, for the admin to confirm.
 * @example const { ewsUrl, steps } = await autodiscover("jane@contoso.com", { transport, credentials });
 */
export async function autodiscover(email: string, options: AutodiscoverOptions): Promise<AutodiscoverResult> {
  const steps: ConnectivityStep[] = [];
  const sentTo = new Set<string>();
  const maxHops = options.maxHops ?? 10;
  const credentials = options.credentials;
  const confirmHost = options.confirmHost?.toLowerCase();
  let hops = 0;
  let address = email.trim();
  const auth: Record<string, string> = credentials
    ? {
        Authorization: `Basic ${Buffer.from(`${credentials.logon}:${credentials.password}`, "utf8").toString("base64")}`,
      }
    : {};
  const tried = new Set<string>();
  const done = (result: Omit<AutodiscoverResult, "sentTo">): AutodiscoverResult => ({
    ...result,
    sentTo: [...sentTo],
  });
  /** Whether the answer that led to the current URL came from a host the credentials may go to. */
  let viaTrusted = false;

  restart: for (;;) {
    const domain = address.split("@")[1]?.toLowerCase() ?? "";
    const queue = (options.candidates ?? defaultCandidates)(domain);
    const restartTrusted: boolean = viaTrusted;
    while (queue.length > 0) {
      let url = queue.shift()!;
      viaTrusted = restartTrusted;
      if (tried.has(`${address}|${url}`)) continue;
      tried.add(`${address}|${url}`);
      for (;;) {
        const host = hostOf(url);
        const soap = /\.svc(\?|$)/i.test(pathOf(url));
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
        const mayReceive: boolean =
          credentials !== undefined &&
          host !== "" &&
          (credentials.mayReceive(host) || (viaTrusted && host === confirmHost));
        const send = (signIn: boolean) =>
          options.transport.request({
            url,
            method: "POST",
            headers: { "Content-Type": "text/xml; charset=utf-8", ...(signIn ? auth : {}) },
            body: soap ? soapBody(address, url) : poxBody(address),
            signal: options.signal,
            timeoutMs: 15_000,
            maxResponseBytes: MAX_ANSWER_BYTES,
          });
        let answer: HttpAnswer;
        let signedIn = false;
        try {
          answer = await send(false);
          if (answer.status === 401 && credentials && mayReceive && offersBasic(answer.challenges)) {
            sentTo.add(host);
            signedIn = true;
            answer = await send(true);
          }
        } catch (error) {
          const f = mapFailure({ error }, { ewsUrl: url });
          step("failed", f.raw ?? f.message, { code: f.code, remediation: f.remediation });
          if (f.code === "Aborted") return done({ ewsUrl: null, steps });
          break;
        }
        if ([301, 302, 303, 307, 308].includes(answer.status) && answer.headers.location) {
          const next = resolveUrl(answer.headers.location, url);
          if (!next) {
            step(
              "failed",
              `HTTP ${answer.status} redirect to a malformed URL: ${clip(answer.headers.location)}`,
              {
                code: "AutodiscoverBadRedirect",
                remediation: BAD_REDIRECT,
              },
            );
            break;
          }
          step("passed", `HTTP ${answer.status} redirect to ${next}${hostNote(host, next)}`);
          if (++hops > maxHops) return done(fail(steps, "Too many autodiscover redirects."));
          viaTrusted = mayReceive;
          url = next;
          continue;
        }
        if (answer.status === 401 && credentials && !signedIn && offersBasic(answer.challenges)) {
          if (viaTrusted && host !== "") {
            step(
              "warning",
              `${host} asks for credentials. It was reached by a redirect; ${credentials.logon}'s password is sent there only when you confirm.`,
              {
                code: "AutodiscoverConfirmHost",
                remediation: `Confirm ${host} to send the credentials there.`,
              },
            );
            return done({ ewsUrl: null, steps, confirmRedirect: { host, url } });
          }
          step(
            "failed",
            `HTTP 401: ${host} asks for credentials; ${credentials.logon}'s password is sent only to the hosts it was entered for (its domain, autodiscover.<domain>, the EWS URL's host and EWS_ALLOWED_HOSTS).`,
            {
              code: "AutodiscoverCredentialsWithheld",
              remediation:
                "Run autodiscover for an address of the service account's own domain, or enter the EWS URL yourself.",
            },
          );
          break;
        }
        if (answer.status !== 200) {
          const f = mapFailure(
            { answer, usedBasic: Boolean(credentials) },
            { ewsUrl: url, serviceAccount: credentials?.logon },
          );
          const detail =
            answer.status === 401 && !credentials
              ? "HTTP 401: autodiscover needs the service account's credentials. Save the account first."
              : (f.raw ?? f.message);
          step("failed", detail, { code: f.code, remediation: f.remediation });
          break;
        }
        const parsed = soap ? parseSoap(answer.body) : parsePox(answer.body);
        if (parsed.kind === "ews") {
          step("passed", `EWS URL: ${parsed.url}`);
          return done({ ewsUrl: parsed.url, steps });
        }
        if (parsed.kind === "redirectAddr") {
          step("passed", `Redirected to the address ${parsed.email}`);
          if (++hops > maxHops || !/^[^\s@]+@[^\s@]+$/.test(parsed.email)) {
            return done(fail(steps, "Too many autodiscover redirects, or a redirect to an invalid address."));
          }
          address = parsed.email;
          viaTrusted = mayReceive;
          continue restart;
        }
        if (parsed.kind === "redirectUrl") {
          const next = resolveUrl(parsed.url, url);
          if (!next) {
            step("failed", `Redirected to a malformed URL: ${clip(parsed.url)}`, {
              code: "AutodiscoverBadRedirect",
              remediation: BAD_REDIRECT,
            });
            break;
          }
          step("passed", `Redirected to ${next}${hostNote(host, next)}`);
          if (++hops > maxHops) return done(fail(steps, "Too many autodiscover redirects."));
          viaTrusted = mayReceive;
          url = next;
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
    return done(fail(steps, `No autodiscover endpoint answered for ${address}.`));
  }
}

const BAD_REDIRECT =
  "Check the autodiscover configuration (Get-ClientAccessService | Format-List AutoDiscoverServiceInternalUri) or enter the EWS URL yourself.";

/** A redirect target resolved against the current URL, or undefined when it is not a URL. */
function resolveUrl(target: string, base: string): string | undefined {
  try {
    const url = new URL(target.trim(), base);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  } catch {
    return "";
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url, "https://x").pathname;
  } catch {
    return "";
  }
}

/** Names the new host when a redirect leaves the current one. */
function hostNote(from: string, next: string): string {
  const to = hostOf(next);
  return to && to !== from ? ` (another host: ${to})` : "";
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

function fail(steps: ConnectivityStep[], detail: string): Omit<AutodiscoverResult, "sentTo"> {
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

/**
 * The hosts a service account's password was entered for: for `user@contoso.com`, contoso.com and
 * autodiscover.contoso.com; for a `DOMAIN\user` logon (no DNS domain), none of those; in both cases the
 * stored EWS URL's host and the hosts in EWS_ALLOWED_HOSTS (`isAllowed`).
 * @example credentialHostsFor("svc@contoso.com", "https://mail.contoso.com/EWS/Exchange.asmx", isAllowed)
 */
export function credentialHostsFor(
  logon: string,
  storedEwsUrl: string | undefined,
  isAllowed: (host: string) => boolean,
): (host: string) => boolean {
  const hosts = new Set<string>();
  const at = logon.lastIndexOf("@");
  if (at > 0 && !logon.includes("\\")) {
    const domain = logon.slice(at + 1).toLowerCase();
    hosts.add(domain);
    hosts.add(`autodiscover.${domain}`);
  }
  if (storedEwsUrl) {
    const host = hostOf(storedEwsUrl);
    if (host) hosts.add(host);
  }
  return (host) => hosts.has(host.toLowerCase()) || isAllowed(host);
}
