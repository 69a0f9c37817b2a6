import { createHash } from "node:crypto";
import { SaxesParser } from "saxes";
import type * as EwsLibrary from "ews-javascript-api";
import type { ExchangeService, PropertySet } from "ews-javascript-api";
import type { AccessFailure } from "../domain/access-outcome";
import { BackOffGate } from "./backoff";
import { mapFailure, type FailureContext } from "./errors";
import { EwsTransport, type HttpAnswer, type TransportOptions } from "./transport";
import { EwsXhrApi, inCallScope, quietXmlParser, type EwsCallScope } from "./xhr";

/** How the service account signs in. */
export type EwsCredentials =
  { kind: "basic"; logon: string; password: string } | { kind: "oauth"; accessToken: string };

/** One profile's connection to Exchange. */
export interface EwsAccount {
  profileId: string;
  ewsUrl: string;
  credentials: EwsCredentials;
}

/** Outcome of one EWS operation: the value, or the mapped failure. */
export type EwsOutcome<T> =
  { ok: true; value: T; ms: number } | { ok: false; failure: AccessFailure; ms: number };

/** Options of the process-wide EWS environment. */
export interface EwsEnvironmentOptions extends TransportOptions {
  /** How long room lists are cached per profile (5 min). */
  roomCacheMs?: number;
  /** Service objects kept (per profile + user), least recently used dropped first (100). */
  maxServices?: number;
}

let library: typeof EwsLibrary | undefined;
let idOnly: PropertySet | undefined;

/**
 * ews-javascript-api, loaded by the first EWS operation rather than at start: it holds about 17 MB of
 * heap, which an instance that never calls EWS (PostgreSQL-backed API nodes, the panel alone) doesn't need.
 */
export async function loadEws(): Promise<typeof EwsLibrary> {
  if (!library) {
    const loaded = await import("ews-javascript-api");
    quietXmlParser();
    idOnly = new loaded.PropertySet(loaded.BasePropertySet.IdOnly);
    library = loaded;
  }
  return library;
}

/** The library once loadEws has resolved (every EwsClient operation awaits it first). */
function ews(): typeof EwsLibrary {
  if (!library) throw new Error("ews-javascript-api is not loaded: await loadEws() first");
  return library;
}

/**
 * Everything EWS shares in one process: the transport (keep-alive sockets, URL policy, CAs), the
 * back-off gate (per profile and per impersonated mailbox), reused service objects and cached room lists.
 * @example const env = new EwsEnvironment({ allowedHosts: config.ews.allowedHosts, caFile: config.ews.caFile });
 */
export class EwsEnvironment {
  readonly transport: EwsTransport;
  readonly gate = new BackOffGate();
  private readonly services = new Map<string, ExchangeService>();
  private readonly rooms = new Map<string, { at: number; ttl: number; rooms: Promise<Set<string>> }>();
  private readonly roomCacheMs: number;
  private readonly maxServices: number;

  constructor(options: EwsEnvironmentOptions) {
    this.transport = new EwsTransport(options);
    this.roomCacheMs = options.roomCacheMs ?? 5 * 60_000;
    // Bulk work impersonates each user once, so a large cache only holds memory (an ExchangeService per user).
    this.maxServices = options.maxServices ?? 100;
  }

  /** A client for one profile's account. */
  client(account: EwsAccount): EwsClient {
    return new EwsClient(this, account);
  }

  /**
   * A service object for the account acting as `impersonate` (or itself). Reused: its settings never
   * change once built, so concurrent calls for the same profile and user can share it.
   */
  service(account: EwsAccount, impersonate?: string): ExchangeService {
    const key = `${account.profileId}\u0000${fingerprint(account)}\u0000${impersonate?.toLowerCase() ?? ""}`;
    const hit = this.services.get(key);
    if (hit) {
      this.services.delete(key);
      this.services.set(key, hit);
      return hit;
    }
    const {
      ExchangeService,
      ExchangeVersion,
      Uri,
      WebCredentials,
      OAuthCredentials,
      ImpersonatedUserId,
      ConnectingIdType,
    } = ews();
    const s = new ExchangeService(ExchangeVersion.Exchange2013);
    s.Url = new Uri(account.ewsUrl);
    s.Credentials =
      account.credentials.kind === "basic"
        ? new WebCredentials(account.credentials.logon, account.credentials.password)
        : new OAuthCredentials(account.credentials.accessToken);
    s.XHRApi = new EwsXhrApi(this.transport, this.gate, account.profileId, impersonate);
    if (impersonate) {
      s.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress, impersonate);
      // Routes the request to the target's mailbox server (ImpersonatedUserId does not add it).
      s.HttpHeaders.Add("X-AnchorMailbox", impersonate);
    }
    this.services.set(key, s);
    if (this.services.size > this.maxServices) this.services.delete(this.services.keys().next().value!);
    return s;
  }

  /**
   * Primary addresses of every room in the profile's room lists, cached for a few minutes. A failure is
   * cached too (for a fifth of that), so an account that can't read room lists doesn't pay for it per check.
   */
  roomsOf(client: EwsClient, signal?: AbortSignal): Promise<Set<string>> {
    const key = `${client.account.profileId}\u0000${fingerprint(client.account)}`;
    const cached = this.rooms.get(key);
    if (cached && Date.now() - cached.at < cached.ttl) return cached.rooms;
    const entry = { at: Date.now(), ttl: this.roomCacheMs, rooms: Promise.resolve(new Set<string>()) };
    entry.rooms = client.loadRooms(signal).then((r) => {
      if (!r.ok) {
        entry.ttl = r.failure.code === "Aborted" ? 0 : this.roomCacheMs / 5;
        throw Object.assign(new Error(r.failure.message), { failure: r.failure });
      }
      return new Set(r.value.flatMap((l) => l.rooms.map((x) => x.address.toLowerCase())));
    });
    entry.rooms.catch(() => undefined);
    this.rooms.set(key, entry);
    return entry.rooms;
  }

  /** Forgets cached service objects and rooms of a profile (its configuration changed). */
  forgetProfile(profileId: string): void {
    for (const key of [...this.services.keys()]) {
      if (key.startsWith(`${profileId}\u0000`)) this.services.delete(key);
    }
    for (const key of [...this.rooms.keys()]) {
      if (key.startsWith(`${profileId}\u0000`)) this.rooms.delete(key);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * A PasswordExpirationDate as an ISO instant, or null for "never": empty, unreadable, or Exchange's
 * DateTime.MaxValue (9999-12-31T23:59:59.9999999). A value without a zone is read as UTC.
 */
export function parseExpiry(raw: string): string | null {
  if (!raw || raw.startsWith("9999-")) return null;
  const value = /(?:Z|[+-]\d{2}:\d{2})$/.test(raw) ? raw : `${raw}Z`;
  const at = Date.parse(value.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isFinite(at) ? new Date(at).toISOString() : null;
}

function fingerprint(account: EwsAccount): string {
  const c = account.credentials;
  const secret = c.kind === "basic" ? `${c.logon}\u0000${c.password}` : c.accessToken;
  return createHash("sha256").update(`${account.ewsUrl}\u0000${secret}`).digest("base64url").slice(0, 16);
}

/** A room list and its rooms. */
export interface RoomList {
  address: string;
  name: string;
  rooms: { address: string; name: string }[];
}

const escapeXml = (v: string) => v.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The Authorization header of the account's credentials (as the library's credentials write it). */
function authorizationOf(c: EwsCredentials): string {
  return c.kind === "basic"
    ? `Basic ${Buffer.from(`${c.logon}:${c.password}`, "utf8").toString("base64")}`
    : `Bearer ${c.accessToken}`;
}

/** The GetFolder (Inbox and Calendar, IdOnly) that ews-javascript-api sends for an impersonated `address`. */
function getFolderInboxAndCalendar(address: string): string {
  return (
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">` +
    `<soap:Header><t:RequestServerVersion Version="Exchange2013"></t:RequestServerVersion>` +
    `<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${escapeXml(address)}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>` +
    `<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds>` +
    `<t:DistinguishedFolderId Id="inbox"></t:DistinguishedFolderId><t:DistinguishedFolderId Id="calendar"></t:DistinguishedFolderId>` +
    `</m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`
  );
}

/**
 * Whether a GetFolder answer bound both folders: well-formed XML (one saxes pass, linear in its size) with
 * two GetFolderResponseMessage elements, none of class Error (a Warning passes, as with the library's
 * ThrowOnError).
 */
export function bothFoldersBound(body: string): boolean {
  const parser = new SaxesParser({ xmlns: false });
  let messages = 0;
  let failed = false;
  parser.on("opentag", (tag) => {
    if (tag.name !== "GetFolderResponseMessage" && !tag.name.endsWith(":GetFolderResponseMessage")) return;
    const responseClass = tag.attributes.ResponseClass;
    if (responseClass === "Success" || responseClass === "Warning") messages += 1;
    else failed = true;
  });
  try {
    parser.write(body).close();
  } catch {
    return false;
  }
  return !failed && messages === 2;
}

/** The result of a mailbox check, before it is stored. */
export interface MailboxCheck {
  /** `room` when in a room list; `user` when it bound as a plain mailbox; null when unknown. */
  mailboxKind: "user" | "room" | null;
}

/**
 * EWS operations for one profile's service account. Each method returns an outcome with the mapped
 * failure instead of throwing for what the server answered.
 */
export class EwsClient {
  constructor(
    private readonly env: EwsEnvironment,
    readonly account: EwsAccount,
  ) {}

  private context(target?: string): FailureContext {
    const c = this.account.credentials;
    return { serviceAccount: c.kind === "basic" ? c.logon : undefined, target, ewsUrl: this.account.ewsUrl };
  }

  /** Runs one operation in a call scope, timing it and mapping any failure. */
  async run<T>(
    target: string | undefined,
    fn: () => Promise<T>,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<EwsOutcome<T>> {
    const started = performance.now();
    const scope: EwsCallScope = { signal, timeoutMs };
    try {
      const value = await inCallScope(scope, fn);
      return { ok: true, value, ms: Math.round(performance.now() - started) };
    } catch (error) {
      const failure = mapFailure(
        {
          error: scope.lastError ?? error,
          answer: scope.lastError ? undefined : scope.lastAnswer,
          usedBasic: this.account.credentials.kind === "basic",
        },
        this.context(target),
      );
      return { ok: false, failure, ms: Math.round(performance.now() - started) };
    }
  }

  /** Authenticates without touching a mailbox: a GET of the EWS URL with the credentials. */
  async authenticate(signal?: AbortSignal): Promise<EwsOutcome<HttpAnswer>> {
    const started = performance.now();
    const c = this.account.credentials;
    const authorization = authorizationOf(c);
    const ms = () => Math.round(performance.now() - started);
    try {
      await this.env.gate.wait(this.account.profileId, undefined, signal);
      const answer = await this.env.transport.request({
        url: this.account.ewsUrl,
        method: "GET",
        headers: { Authorization: authorization },
        signal,
        api: "ews",
      });
      if (answer.status >= 200 && answer.status < 400) return { ok: true, value: answer, ms: ms() };
      return {
        ok: false,
        failure: mapFailure({ answer, usedBasic: c.kind === "basic" }, this.context()),
        ms: ms(),
      };
    } catch (error) {
      return { ok: false, failure: mapFailure({ error }, this.context()), ms: ms() };
    }
  }

  /**
   * The service account's own password expiry (EWS GetPasswordExpirationDate, Exchange 2010 SP2 and
   * later), asked as the account itself, never impersonated: Exchange answers only for the caller.
   * `expiresAt` is null when it never expires (Exchange answers DateTime.MaxValue, year 9999, then).
   * Sent as plain SOAP over the shared transport and back-off gate.
   */
  async passwordExpiration(signal?: AbortSignal): Promise<EwsOutcome<{ expiresAt: string | null }>> {
    const started = performance.now();
    const c = this.account.credentials;
    const authorization =
      c.kind === "basic"
        ? `Basic ${Buffer.from(`${c.logon}:${c.password}`, "utf8").toString("base64")}`
        : `Bearer ${c.accessToken}`;
    const ms = () => Math.round(performance.now() - started);
    const body =
      `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
      `xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">` +
      `<soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header>` +
      `<soap:Body><m:GetPasswordExpirationDate/></soap:Body></soap:Envelope>`;
    try {
      await this.env.gate.wait(this.account.profileId, undefined, signal);
      const answer = await this.env.transport.request({
        url: this.account.ewsUrl,
        method: "POST",
        headers: {
          Authorization: authorization,
          "Content-Type": "text/xml; charset=utf-8",
          SOAPAction:
            '"http://schemas.microsoft.com/exchange/services/2006/messages/GetPasswordExpirationDate"',
        },
        body,
        signal,
      });
      const success =
        answer.status === 200 &&
        /<(?:\w+:)?GetPasswordExpirationDateResponse\b[^>]*ResponseClass="Success"/.test(answer.body);
      if (!success) {
        return {
          ok: false,
          failure: mapFailure({ answer, usedBasic: c.kind === "basic" }, this.context()),
          ms: ms(),
        };
      }
      const raw = /<(?:\w+:)?PasswordExpirationDate>\s*([^<\s]*)\s*</.exec(answer.body)?.[1] ?? "";
      return { ok: true, value: { expiresAt: parseExpiry(raw) }, ms: ms() };
    } catch (error) {
      return { ok: false, failure: mapFailure({ error }, this.context()), ms: ms() };
    }
  }

  /** Binds the service account's own Inbox (no impersonation): fails with ErrorMissingEmailAddress without a mailbox. */
  ownMailbox(signal?: AbortSignal): Promise<EwsOutcome<void>> {
    return this.run(
      undefined,
      async () => {
        const { Folder, WellKnownFolderName } = await loadEws();
        await Folder.Bind(this.env.service(this.account), WellKnownFolderName.Inbox, idOnly!);
      },
      signal,
    );
  }

  /**
   * Impersonates `address` and binds its Inbox and Calendar in ONE GetFolder call (two folder ids): half
   * the calls, and so half the target's EWS budget, of two binds. Any folder's error fails the check.
   * The one call of every bulk check, so it skips ews-javascript-api: the request is the SOAP the library
   * sends for that GetFolder (same headers, same back-off gate, same transport), and the answer is read
   * for its ResponseClass values only; anything else goes to the same wire-based mapping (mapFailure)
   * as the library's errors. About a fifth of the library's CPU per check (`npm run bench -- ews-client`).
   */
  bindInboxAndCalendar(address: string, signal?: AbortSignal): Promise<EwsOutcome<void>> {
    return this.run(
      address,
      async () => {
        const api = new EwsXhrApi(this.env.transport, this.env.gate, this.account.profileId, address);
        const answer = await api.xhr({
          url: this.account.ewsUrl,
          type: "POST",
          headers: {
            "Content-Type": "text/xml; charset=utf-8",
            Accept: "text/xml",
            "X-AnchorMailbox": address,
            Authorization: authorizationOf(this.account.credentials),
          },
          data: getFolderInboxAndCalendar(address),
        });
        if (!bothFoldersBound(answer.responseText)) {
          // An Error class is mapped from the answer (its ResponseCode); anything else is malformed.
          throw new Error("The GetFolder answer did not bind the Inbox and the Calendar.");
        }
      },
      signal,
    );
  }

  /** Room lists and their rooms, as the service account sees them. */
  loadRooms(signal?: AbortSignal): Promise<EwsOutcome<RoomList[]>> {
    return this.run(
      undefined,
      async () => {
        const { EmailAddress } = await loadEws();
        const s = this.env.service(this.account);
        const lists = await s.GetRoomLists();
        const out: RoomList[] = [];
        for (const list of lists.GetEnumerator()) {
          const rooms = await s.GetRooms(new EmailAddress(list.Address));
          out.push({
            address: list.Address,
            name: list.Name,
            rooms: rooms.map((r) => ({ address: r.Address, name: r.Name })),
          });
        }
        return out;
      },
      signal,
    );
  }

  /**
   * Checks one mailbox: impersonate, bind Inbox and Calendar, then tell its kind from the cached room
   * lists (null when they can't be read).
   */
  async check(
    address: string,
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; ms: number; failure?: AccessFailure; mailboxKind: "user" | "room" | null }> {
    const bound = await this.bindInboxAndCalendar(address, signal);
    if (!bound.ok) return { ok: false, ms: bound.ms, failure: bound.failure, mailboxKind: null };
    let mailboxKind: "user" | "room" | null;
    try {
      mailboxKind = (await this.env.roomsOf(this, signal)).has(address.toLowerCase()) ? "room" : "user";
    } catch {
      mailboxKind = null;
    }
    return { ok: true, ms: bound.ms, mailboxKind };
  }
}
