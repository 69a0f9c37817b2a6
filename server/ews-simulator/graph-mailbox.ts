import { createHash } from "node:crypto";
import type { ResolvedMailbox } from "./tenant";

/** One answer of the mailbox part (the caller serializes it like every Graph answer). */
export interface MailboxReply {
  status: number;
  value?: unknown;
  headers?: Record<string, string>;
  error?: { code: string; message: string };
}

/** One stored message or event; `seq` is the mailbox's change number when it last changed. */
interface SimItem {
  id: string;
  kind: "message" | "event";
  seq: number;
  deleted: boolean;
  data: Record<string, unknown>;
}

/** A mailbox's Graph data: items by id, a change counter, and the epoch its delta tokens belong to. */
interface MailboxData {
  seq: number;
  made: number;
  epoch: number;
  items: Map<string, SimItem>;
}

/** What a delta token (or skip token) carries; the simulator keeps no per-client state. */
interface DeltaState {
  /** `inbox` (mail delta) or `calendarview` / `events`. */
  f: string;
  /** Changes after this change number... */
  s: number;
  /** ...up to this one (the round's snapshot). */
  u: number;
  /** Items of the round already sent. */
  o: number;
  e: number;
  sel?: string;
}

const WELL_KNOWN = ["inbox", "drafts", "sentitems", "deleteditems", "archive"] as const;
const MAIL_DEFAULT_PAGE = 10;

/** Graph-like opaque ids (long, base64, case-sensitive). */
function graphId(address: string, kind: string, n: number): string {
  const digest = createHash("sha256").update(`${address}\u0000${kind}\u0000${n}`).digest("base64");
  return `AAMkAG${digest}${Buffer.from(`${kind}-${n}`).toString("base64")}AAA=`.replace(/\//g, "-");
}

/** The folder id Graph would show for a well-known folder of the mailbox. */
export function folderId(address: string, key: string): string {
  return Buffer.from(`${address}/mailfolders/${key}`).toString("base64url");
}

const SUBJECTS = ["Quarterly review", "Lunch on Friday?", "Invoice 4711", "Project kickoff", "Re: Offer"];

/**
 * The mailbox side of the Graph simulator: seeded messages (Inbox) and events per mailbox, created on
 * first use from the tenant's `items` counts; lists with paging, `$select`, mail and calendar delta
 * (stateless tokens; `expireDeltaTokens` makes every earlier token answer 410 SyncStateNotFound),
 * creates, updates and deletes.
 */
export class GraphMailboxes {
  private readonly data = new Map<string, MailboxData>();

  private of(m: ResolvedMailbox): MailboxData {
    let d = this.data.get(m.primarySmtpAddress);
    if (!d) {
      d = { seq: 0, made: 0, epoch: 1, items: new Map() };
      this.data.set(m.primarySmtpAddress, d);
      const user = m.kind === "user";
      this.seed(m, d, "message", m.items?.inbox ?? (user ? 3 : 0));
      this.seed(m, d, "event", m.items?.calendar ?? (user ? 2 : 0));
    }
    return d;
  }

  private seed(m: ResolvedMailbox, d: MailboxData, kind: "message" | "event", count: number): void {
    for (let i = 0; i < count; i++) this.create(m, d, kind, {});
  }

  private create(
    m: ResolvedMailbox,
    d: MailboxData,
    kind: "message" | "event",
    fields: Record<string, unknown>,
  ): SimItem {
    d.made += 1;
    d.seq += 1;
    const n = d.made;
    const id = graphId(m.primarySmtpAddress, kind, n);
    const at = new Date(Date.UTC(2026, 10, 1, 8) + n * 3_600_000).toISOString().replace(".000Z", "Z");
    const base = {
      id,
      "@odata.etag": `W/"CQAAABYAAAA${n}"`,
      createdDateTime: at,
      lastModifiedDateTime: at,
      changeKey: `CQAAABYAAAA${n}`,
    };
    const data: Record<string, unknown> =
      kind === "message"
        ? {
            ...base,
            receivedDateTime: at,
            sentDateTime: at,
            subject: `${SUBJECTS[n % SUBJECTS.length]} #${n}`,
            bodyPreview: `Message ${n} for ${m.displayName}.`,
            importance: "normal",
            isRead: n % 3 === 0,
            parentFolderId: folderId(m.primarySmtpAddress, "inbox"),
            conversationId: graphId(m.primarySmtpAddress, "conversation", n),
            from: { emailAddress: { name: "Megan Bowen", address: "megan.bowen@fabrikam.com" } },
            toRecipients: [{ emailAddress: { name: m.displayName, address: m.primarySmtpAddress } }],
            body: { contentType: "text", content: `Message ${n} for ${m.displayName}.` },
            ...fields,
          }
        : {
            ...base,
            subject: `Meeting #${n}`,
            start: { dateTime: at.replace("Z", ".0000000"), timeZone: "UTC" },
            end: {
              dateTime: new Date(Date.parse(at) + 1_800_000).toISOString().replace("Z", "0000"),
              timeZone: "UTC",
            },
            organizer: { emailAddress: { name: m.displayName, address: m.primarySmtpAddress } },
            isAllDay: false,
            showAs: "busy",
            type: "singleInstance",
            ...fields,
          };
    const item: SimItem = { id, kind, seq: d.seq, deleted: false, data };
    d.items.set(id, item);
    return item;
  }

  /** Adds messages to a mailbox's Inbox and events to its calendar (a control while running). */
  addItems(m: ResolvedMailbox, messages: number, events: number): string[] {
    const d = this.of(m);
    const ids: string[] = [];
    for (let i = 0; i < messages; i++) ids.push(this.create(m, d, "message", {}).id);
    for (let i = 0; i < events; i++) ids.push(this.create(m, d, "event", {}).id);
    return ids;
  }

  /** Makes every delta and skip token issued so far unknown (410 SyncStateNotFound), as after Exchange drops its sync state. */
  expireDeltaTokens(): void {
    for (const d of this.data.values()) d.epoch += 1;
  }

  /**
   * Answers one mailbox call: `segments` is the path after `/users/{id}/` with `name('key')` split into
   * `name`, `key`; `link` builds an absolute URL on the same user from a relative path.
   */
  handle(
    m: ResolvedMailbox,
    req: { method: string; segments: string[]; query: URLSearchParams; prefer: string; body: unknown },
    link: (relative: string) => string,
  ): MailboxReply {
    const d = this.of(m);
    const s = req.segments;
    const n = s.map((x) => x.toLowerCase());
    const method = req.method.toUpperCase();
    const [a, b, c, e] = n;
    const len = n.length;
    if (a === "mailboxsettings" && len === 1) {
      return method === "GET" ? { status: 200, value: settingsOf(m) } : notAllowed();
    }
    if (a === "mailfolders") {
      if (len === 1) {
        return list(
          WELL_KNOWN.map((k) => folderOf(m, k, d)),
          req.query,
          link("mailFolders"),
        );
      }
      const key = this.folderKey(m, s[1]);
      if (!key) return notFound("ErrorItemNotFound", "The specified object was not found in the store.");
      if (len === 2) return { status: 200, value: folderOf(m, key, d) };
      if (c === "childfolders" && len === 3) return list([], req.query, link("childFolders"));
      if (c === "messages") {
        if (key !== "inbox" && len === 3 && method === "GET") return list([], req.query, link("messages"));
        if (len === 4 && (e === "delta" || e === "microsoft.graph.delta")) {
          return this.delta(d, "inbox", req, link(`mailFolders('${s[1]}')/messages/delta`));
        }
        return this.items(m, d, "message", s.slice(3), method, req, link(`mailFolders/${s[1]}/messages`));
      }
      return badSegment(s.at(-1));
    }
    if (a === "messages") {
      if (len === 2 && (b === "delta" || b === "microsoft.graph.delta")) return badSegment(b);
      if (len === 3 && c === "attachments") {
        return this.itemById(d, s[1], "message") ? list([], req.query, link("attachments")) : missing();
      }
      return this.items(m, d, "message", s.slice(1), method, req, link("messages"));
    }
    if (a === "sendmail" && len === 1) return method === "POST" ? { status: 202 } : notAllowed();
    if (a === "calendar" && len === 1) return { status: 200, value: calendarOf(m) };
    if (a === "calendar" && b === "events" && len === 2) {
      return this.items(m, d, "event", [], method, req, link("calendar/events"));
    }
    if (a === "calendars" && len === 1) return list([calendarOf(m)], req.query, link("calendars"));
    if (a === "calendarview") {
      const start = req.query.get("startDateTime");
      const end = req.query.get("endDateTime");
      const token = req.query.get("$deltatoken") ?? req.query.get("$skiptoken");
      if (!token && (!start || !end || Number.isNaN(Date.parse(start)) || Number.isNaN(Date.parse(end)))) {
        return {
          status: 400,
          error: {
            code: "ErrorInvalidParameter",
            message:
              "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
          },
        };
      }
      if (len === 2 && (b === "delta" || b === "microsoft.graph.delta")) {
        return this.delta(d, "calendarview", req, link("calendarView/delta"));
      }
      if (len === 1 && method === "GET") {
        return this.items(m, d, "event", [], method, req, link("calendarView"));
      }
      return badSegment(s.at(-1));
    }
    if (a === "events") {
      if (len === 2 && (b === "delta" || b === "microsoft.graph.delta")) {
        return this.delta(d, "events", req, link("events/delta"));
      }
      return this.items(m, d, "event", s.slice(1), method, req, link("events"));
    }
    if (a === "contacts" && len === 1 && method === "GET") return list([], req.query, link("contacts"));
    return badSegment(s.at(-1));
  }

  private folderKey(m: ResolvedMailbox, raw: string): string | undefined {
    const lower = raw.toLowerCase();
    if ((WELL_KNOWN as readonly string[]).includes(lower)) return lower;
    return WELL_KNOWN.find((k) => folderId(m.primarySmtpAddress, k) === raw);
  }

  private itemById(d: MailboxData, id: string, kind: SimItem["kind"]): SimItem | undefined {
    const item = d.items.get(id);
    return item && !item.deleted && item.kind === kind ? item : undefined;
  }

  /** A collection (`rest` empty: list or create) or one item (`rest` = [id]: get, update, delete). */
  private items(
    m: ResolvedMailbox,
    d: MailboxData,
    kind: SimItem["kind"],
    rest: string[],
    method: string,
    req: { query: URLSearchParams; body: unknown },
    self: string,
  ): MailboxReply {
    if (rest.length === 0) {
      if (method === "GET") {
        const all = [...d.items.values()].filter((i) => i.kind === kind && !i.deleted).reverse();
        return list(
          all.map((i) => i.data),
          req.query,
          self,
        );
      }
      if (method === "POST") {
        const fields = typeof req.body === "object" && req.body ? (req.body as Record<string, unknown>) : {};
        const item = this.create(m, d, kind, fields);
        return { status: 201, value: item.data, headers: { Location: `${self}/${item.id}` } };
      }
      return notAllowed();
    }
    if (rest.length !== 1) return badSegment(rest.at(-1));
    const item = this.itemById(d, rest[0], kind);
    if (!item) return missing();
    if (method === "GET") return { status: 200, value: pick(item.data, req.query.get("$select")) };
    d.seq += 1;
    item.seq = d.seq;
    if (method === "DELETE") {
      item.deleted = true;
      return { status: 204 };
    }
    if (method === "PATCH") {
      const fields = typeof req.body === "object" && req.body ? (req.body as Record<string, unknown>) : {};
      Object.assign(item.data, fields, { id: item.id, lastModifiedDateTime: new Date().toISOString() });
      return { status: 200, value: item.data };
    }
    return notAllowed();
  }

  /** One delta page: the round's changes after the token's change number, paged by `odata.maxpagesize`. */
  private delta(
    d: MailboxData,
    folder: string,
    req: { query: URLSearchParams; prefer: string },
    self: string,
  ): MailboxReply {
    const raw = req.query.get("$deltatoken") ?? req.query.get("$skiptoken");
    let state: DeltaState;
    if (raw) {
      const decoded = decodeToken(raw);
      if (!decoded || decoded.e !== d.epoch || decoded.f !== folder) {
        return {
          status: 410,
          error: {
            code: "SyncStateNotFound",
            message:
              "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
          },
        };
      }
      // A delta token starts a new round: everything changed since its snapshot.
      state = req.query.has("$deltatoken") ? { ...decoded, s: decoded.u, u: d.seq, o: 0 } : decoded;
    } else {
      state = { f: folder, s: 0, u: d.seq, o: 0, e: d.epoch, sel: req.query.get("$select") ?? undefined };
    }
    const kind = folder === "inbox" ? "message" : "event";
    const changed = [...d.items.values()]
      .filter((i) => i.kind === kind && i.seq > state.s && i.seq <= state.u && !(state.s === 0 && i.deleted))
      .sort((x, y) => x.seq - y.seq);
    const size = maxPageSize(req.prefer) ?? MAIL_DEFAULT_PAGE;
    const page = changed.slice(state.o, state.o + size);
    const value = page.map((i) =>
      i.deleted ? { "@removed": { reason: "deleted" }, id: i.id } : pick(i.data, state.sel ?? null),
    );
    const more = state.o + size < changed.length;
    const token = encodeToken(more ? { ...state, o: state.o + size } : { ...state, o: 0 });
    return {
      status: 200,
      value: {
        value,
        ...(more
          ? { "@odata.nextLink": `${self}?$skiptoken=${token}` }
          : { "@odata.deltaLink": `${self}?$deltatoken=${token}` }),
      },
      headers: size !== MAIL_DEFAULT_PAGE ? { "Preference-Applied": `odata.maxpagesize=${size}` } : {},
    };
  }
}

function encodeToken(state: DeltaState): string {
  return Buffer.from(JSON.stringify(state)).toString("base64url");
}

function decodeToken(raw: string): DeltaState | undefined {
  try {
    const s = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as DeltaState;
    return typeof s.s === "number" && typeof s.u === "number" && typeof s.o === "number" ? s : undefined;
  } catch {
    return undefined;
  }
}

/** `Prefer: odata.maxpagesize=N` (other preferences ignored). */
function maxPageSize(prefer: string): number | undefined {
  const match = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer);
  return match ? Math.min(1000, Math.max(1, Number(match[1]))) : undefined;
}

/** `$select` applied: the listed properties, plus `id` and the ETag as Graph always sends them. */
function pick(data: Record<string, unknown>, select: string | null): Record<string, unknown> {
  if (!select) return data;
  const wanted = new Set(select.split(",").map((p) => p.trim().toLowerCase()));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (k === "id" || k === "@odata.etag" || wanted.has(k.toLowerCase())) out[k] = v;
  }
  return out;
}

/** A page of a collection: `$top` (default 10, ≤ 1000), `$skip`, `$select`; `@odata.nextLink` while more remain. */
function list(all: Record<string, unknown>[], query: URLSearchParams, self: string): MailboxReply {
  const top = Math.min(
    1000,
    Math.max(1, Number(query.get("$top") ?? MAIL_DEFAULT_PAGE) || MAIL_DEFAULT_PAGE),
  );
  const skip = Math.max(0, Number(query.get("$skip") ?? 0) || 0);
  const select = query.get("$select");
  const page = all.slice(skip, skip + top).map((v) => pick(v, select));
  const next = new URLSearchParams();
  for (const [k, v] of query) if (k !== "$skip") next.set(k, v);
  next.set("$top", String(top));
  next.set("$skip", String(skip + top));
  return {
    status: 200,
    value: {
      value: page,
      ...(skip + top < all.length ? { "@odata.nextLink": `${self}?${next.toString()}` } : {}),
    },
  };
}

function folderOf(m: ResolvedMailbox, key: string, d: MailboxData): Record<string, unknown> {
  const names: Record<string, string> = {
    inbox: "Inbox",
    drafts: "Drafts",
    sentitems: "Sent Items",
    deleteditems: "Deleted Items",
    archive: "Archive",
  };
  const total =
    key === "inbox" ? [...d.items.values()].filter((i) => i.kind === "message" && !i.deleted).length : 0;
  return {
    id: folderId(m.primarySmtpAddress, key),
    displayName: names[key] ?? key,
    parentFolderId: "root",
    childFolderCount: 0,
    unreadItemCount: Math.min(1, total),
    totalItemCount: total,
    isHidden: false,
  };
}

function calendarOf(m: ResolvedMailbox): Record<string, unknown> {
  return {
    id: Buffer.from(`${m.primarySmtpAddress}/calendar`).toString("base64url"),
    name: "Calendar",
    canEdit: true,
    canShare: true,
    isDefaultCalendar: true,
    owner: { name: m.displayName, address: m.primarySmtpAddress },
  };
}

function settingsOf(m: ResolvedMailbox): Record<string, unknown> {
  return {
    timeZone: "W. Europe Standard Time",
    language: { locale: "en-US", displayName: "English (United States)" },
    automaticRepliesSetting: { status: "disabled", externalAudience: "all" },
    userPurpose: m.kind === "user" ? "user" : m.kind,
  };
}

const notAllowed = (): MailboxReply => ({
  status: 405,
  error: { code: "Request_BadRequest", message: "The method is not allowed for this resource." },
});
const notFound = (code: string, message: string): MailboxReply => ({ status: 404, error: { code, message } });
const missing = () => notFound("ErrorItemNotFound", "The specified object was not found in the store.");
const badSegment = (segment: string | undefined): MailboxReply => ({
  status: 400,
  error: { code: "BadRequest", message: `Resource not found for the segment '${segment ?? ""}'.` },
});
