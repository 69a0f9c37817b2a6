import type { ServiceKeyScope } from "../../contract/sync";

/** Graph API versions the gateway serves. */
export type GraphVersion = "v1.0" | "beta";

/** What the allow table says about one call under `/users/{mailbox}/`. */
export type GraphPathVerdict =
  { ok: true; scope: Extract<ServiceKeyScope, "graph:read" | "graph:write"> } | { ok: false; reason: string };

type Method = "GET" | "POST" | "PATCH" | "DELETE";

interface Rule {
  methods: Method[];
  /** Path words in lower case; `{id}` stands for one id segment. */
  path: string;
  scope: "graph:read" | "graph:write";
  /** Only under this version (`events/delta` is beta). */
  version?: GraphVersion;
}

const R = (path: string, methods: Method[] = ["GET"], version?: GraphVersion): Rule => ({
  path,
  methods,
  scope: "graph:read",
  version,
});
const W = (path: string, methods: Method[]): Rule => ({ path, methods, scope: "graph:write" });

/**
 * The one table of what the Graph gateway forwards, per scope. Paths are relative to
 * `/users/{mailbox}/`; attachments are inline only (the request body is capped at 4 MB).
 */
export const GRAPH_RULES: readonly Rule[] = [
  R("mailboxsettings"),
  R("messages"),
  R("messages/{id}"),
  R("messages/{id}/$value"),
  R("messages/{id}/attachments"),
  R("messages/{id}/attachments/{id}"),
  R("messages/{id}/attachments/{id}/$value"),
  R("mailfolders"),
  R("mailfolders/delta"),
  R("mailfolders/{id}"),
  R("mailfolders/{id}/childfolders"),
  R("mailfolders/{id}/childfolders/{id}"),
  R("mailfolders/{id}/messages"),
  R("mailfolders/{id}/messages/delta"),
  R("mailfolders/{id}/messages/{id}"),
  R("mailfolders/{id}/messages/{id}/attachments"),
  R("mailfolders/{id}/messages/{id}/attachments/{id}"),
  R("events"),
  R("events/delta", ["GET"], "beta"),
  R("events/{id}"),
  R("events/{id}/instances"),
  R("events/{id}/attachments"),
  R("events/{id}/attachments/{id}"),
  R("calendar"),
  R("calendar/events"),
  R("calendar/calendarview"),
  R("calendars"),
  R("calendars/{id}"),
  R("calendars/{id}/events"),
  R("calendars/{id}/calendarview"),
  R("calendarview"),
  R("calendarview/delta"),
  R("contacts"),
  R("contacts/{id}"),
  W("messages", ["POST"]),
  W("messages/{id}", ["PATCH", "DELETE"]),
  W("messages/{id}/send", ["POST"]),
  W("messages/{id}/attachments", ["POST"]),
  W("messages/{id}/attachments/{id}", ["DELETE"]),
  W("mailfolders/{id}/messages", ["POST"]),
  W("mailfolders/{id}/messages/{id}", ["PATCH", "DELETE"]),
  W("sendmail", ["POST"]),
  W("events", ["POST"]),
  W("calendar/events", ["POST"]),
  W("calendars/{id}/events", ["POST"]),
  W("events/{id}", ["PATCH", "DELETE"]),
  W("events/{id}/attachments", ["POST"]),
  W("events/{id}/accept", ["POST"]),
  W("events/{id}/decline", ["POST"]),
  W("events/{id}/tentativelyaccept", ["POST"]),
  W("contacts", ["POST"]),
  W("contacts/{id}", ["PATCH", "DELETE"]),
];

/** Refused whatever the scope, with the reason the caller is told. */
const NEVER: { word: string; reason: string }[] = [
  {
    word: "translateexchangeids",
    reason:
      "translateExchangeIds takes delegated permissions only (Microsoft Graph: application permissions not supported), so an app-only token can't call it. A stored EWS id is the Graph (REST) id with '/' as '-' and '+' as '_', as Outlook's convertToRestId converts it; or match items by internetMessageId or iCalUId after a delta round.",
  },
  {
    word: "createuploadsession",
    reason:
      "Upload sessions are not forwarded: their upload URL would bypass the gateway. Send attachments up to 3 MB inline.",
  },
  {
    word: "messagerules",
    reason: "Inbox rules are not forwarded (rules, permissions and settings stay with admins).",
  },
  {
    word: "calendarpermissions",
    reason: "Calendar permissions are not forwarded (rules, permissions and settings stay with admins).",
  },
];

/** The table with each path split into its segments once (every call is matched against all of them). */
const SPLIT_RULES = GRAPH_RULES.map((rule) => ({ rule, pattern: rule.path.split("/") }));

/** Words that are path keywords rather than ids (Graph's own segment names, case-insensitive). */
const KEYWORDS = new Set(
  GRAPH_RULES.flatMap((r) => r.path.split("/")).filter((w) => w !== "{id}" && w !== "$value"),
);
const ID = /^[A-Za-z0-9=_\-+.!~*%:@,]+$/;

/**
 * The path's segments for matching: `mailFolders('inbox')` becomes `mailfolders`, `inbox`; Graph's
 * fully qualified function names (`microsoft.graph.delta`) their short form; keywords lower-cased.
 * Returns undefined for a path that can't be a Graph resource path (empty or dot segments).
 */
export function graphSegments(rest: string): string[] | undefined {
  const out: string[] = [];
  for (const part of rest.split("/")) {
    const call = /^([^(]+)\('([^']*)'\)$/.exec(part);
    const pieces = call ? [call[1], call[2]] : [part];
    for (const piece of pieces) {
      if (piece === "" || piece === "." || piece === "..") return undefined;
      out.push(piece);
    }
  }
  return out;
}

function wordOf(segment: string): string {
  const lower = segment.toLowerCase();
  return lower.startsWith("microsoft.graph.") ? lower.slice("microsoft.graph.".length) : lower;
}

/**
 * Judges one call under `/users/{mailbox}/` by the table: which scope it needs, or why it is refused.
 * Matching is case-insensitive on Graph's words; ids match any one segment.
 * @example allowGraphPath("GET", "v1.0", "mailFolders('inbox')/messages/delta") // { ok: true, scope: "graph:read" }
 */
export function allowGraphPath(method: string, version: GraphVersion, rest: string): GraphPathVerdict {
  const segments = graphSegments(rest);
  if (!segments) return { ok: false, reason: "The path is not a Graph resource path." };
  const words = segments.map(wordOf);
  for (const never of NEVER) if (words.includes(never.word)) return { ok: false, reason: never.reason };
  const upper = method.toUpperCase();
  if (words[0] === "mailboxsettings" && upper !== "GET") {
    return {
      ok: false,
      reason:
        "Mailbox settings are read-only through the gateway (rules, permissions and settings stay with admins).",
    };
  }
  let pathMatched = false;
  for (const { rule, pattern } of SPLIT_RULES) {
    if (pattern.length !== words.length) continue;
    const same = pattern.every((p, i) =>
      p === "{id}" ? !KEYWORDS.has(words[i]) && ID.test(segments[i]) : p === words[i],
    );
    if (!same || (rule.version && rule.version !== version)) continue;
    pathMatched = true;
    if ((rule.methods as string[]).includes(upper)) return { ok: true, scope: rule.scope };
  }
  return {
    ok: false,
    reason: pathMatched
      ? `${upper} is not allowed on this path through the gateway.`
      : `The path '${rest}' is not one the gateway forwards (mail, calendars, contacts and mailbox settings of the mailbox only).`,
  };
}
