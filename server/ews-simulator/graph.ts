import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from "jose";
import { GraphMailboxes } from "./graph-mailbox";
import { scopeIncludes, type ImpersonationScope, type TenantIndex } from "./tenant";

/** Injected Graph throttling; mutable at any time (`sim.graph.faults`). */
export interface GraphFaults {
  /** The next N Graph calls answer 429 (counting down). */
  throttleNext: number;
  /** Probability per call of a 429. */
  throttleRate: number;
  /** Retry-After seconds sent with a 429 (fractions allowed: tests use short waits). */
  retryAfterSeconds: number;
  /** Calls for these addresses always answer 429. */
  throttleMailboxes: string[];
  /**
   * Calls arriving this soon after a 429 was sent are counted as in flight (sent before the client could
   * read the 429), not as calls during Retry-After. They still get a 429.
   */
  inFlightGraceMs: number;
}

/** What the Graph simulator counted (`sim.graph.counters`). */
export interface GraphCounters {
  requests: number;
  byOperation: Record<string, number>;
  byApp: Record<string, number>;
  byTarget: Record<string, number>;
  /** `200`, `401`, `403 ErrorAccessDenied`, `404 ErrorInvalidUser`, `429 TooManyRequests`, ... */
  byOutcome: Record<string, number>;
  /** Calls an app made before the Retry-After it was given had run out (after the in-flight grace). */
  callsDuringRetryAfter: number;
  /** Calls that arrived within the grace after a 429: already in flight when it was sent. */
  callsInFlightAtThrottle: number;
  calls: { at: number; app: string; target: string; operation: string; status: number }[];
  /** 429s answered because an app had more than 4 calls in flight for one mailbox. */
  concurrencyRefused: number;
  /** The most calls one app had in flight for one mailbox. */
  maxInFlightPerMailbox: number;
}

/** The Graph half of the simulator: faults, counters and per-app Retry-After deadlines. */
export interface GraphState {
  faults: GraphFaults;
  counters: GraphCounters;
  retryUntil: Map<string, number>;
  /** When each app was last sent a fresh 429. */
  throttledAt: Map<string, number>;
  jwks: Map<string, ReturnType<typeof createRemoteJWKSet>>;
  /** Calls in flight per app and mailbox. */
  inFlight: Map<string, number>;
  /** Messages and events of the mailboxes (graph-mailbox.ts). */
  mailboxes: GraphMailboxes;
}

/** A fresh Graph state. */
export function createGraphState(): GraphState {
  return {
    faults: {
      throttleNext: 0,
      throttleRate: 0,
      retryAfterSeconds: 2,
      throttleMailboxes: [],
      inFlightGraceMs: 50,
    },
    counters: {
      requests: 0,
      byOperation: {},
      byApp: {},
      byTarget: {},
      byOutcome: {},
      callsDuringRetryAfter: 0,
      callsInFlightAtThrottle: 0,
      calls: [],
      concurrencyRefused: 0,
      maxInFlightPerMailbox: 0,
    },
    inFlight: new Map(),
    mailboxes: new GraphMailboxes(),
    retryUntil: new Map(),
    throttledAt: new Map(),
    jwks: new Map(),
  };
}

/** Zeroes the counters and forgets Retry-After deadlines. */
export function resetGraphState(state: GraphState): void {
  Object.assign(state.counters, { ...createGraphState().counters, calls: [] });
  state.retryUntil.clear();
  state.throttledAt.clear();
}

/** One Graph answer. */
export interface GraphReply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): GraphReply => ({
  status,
  body: JSON.stringify(value),
  headers: { "Content-Type": "application/json; odata.metadata=minimal", ...headers },
});
const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json(
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString(),
          "request-id": crypto.randomUUID(),
          "client-request-id": crypto.randomUUID(),
        },
      },
    },
    headers,
  );

/** Application permissions that open mailboxes tenant-wide when consented. */
const MAILBOX_ROLES = new Set([
  "Mail.Read",
  "Mail.ReadWrite",
  "Calendars.Read",
  "Calendars.ReadWrite",
  "MailboxSettings.Read",
  "MailboxSettings.ReadWrite",
  "full_access_as_app",
]);

interface GraphCaller {
  app: string;
  scope: ImpersonationScope;
  roles: string[];
}

async function authenticate(
  index: TenantIndex,
  state: GraphState,
  header: string | undefined,
): Promise<GraphCaller | string> {
  const token = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1];
  if (!token) return "Access token is empty.";
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(token);
  } catch {
    return "IDX14100: JWT is not well formed.";
  }
  const issuer = index.tenant.oauth.issuers.find((i) => i.issuer === unverified.iss);
  if (!issuer) return `Invalid issuer ${String(unverified.iss)}.`;
  let jwks = state.jwks.get(issuer.jwksUrl);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(issuer.jwksUrl));
    state.jwks.set(issuer.jwksUrl, jwks);
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, jwks, {
      issuer: issuer.issuer,
      audience: issuer.audiences,
    }));
  } catch (e) {
    return `Access token validation failure: ${(e as Error).message}`;
  }
  if (typeof claims.scp === "string") return "Delegated tokens are not simulated; use an app-only token.";
  const appId = [claims.appid, claims.azp, claims.sub].find((v): v is string => typeof v === "string") ?? "";
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  const app = index.apps.get(appId);
  const consented = roles.some((r) => MAILBOX_ROLES.has(r));
  // Consented mailbox permissions reach every mailbox (or the app's scope, as an access policy would);
  // without them only RBAC for Applications assignments (the app's scope) count.
  return { app: appId, roles, scope: consented ? (app?.scope ?? "all") : (app?.scope ?? "none") };
}

const USER_PATH = /^\/(v1\.0|beta)\/users\/([^/(]+|\('[^']*'\))\/(.+)$/i;
const ROOMS_PATH = /^\/v1\.0\/places\/microsoft\.graph\.room$/i;
const BATCH_PATH = /^\/(v1\.0|beta)\/\$batch$/i;

/** A Graph request as the simulator needs it. */
export interface GraphRequest {
  method: string;
  url: string;
  authorization?: string;
  baseUrl: string;
  prefer?: string;
  /** The JSON body, parsed (undefined when none). */
  body?: unknown;
  /** The simulated latency, awaited while the call counts as in flight. */
  delay?: () => Promise<void>;
}

/** `mailFolders('inbox')` → `mailFolders`, `inbox` (the form Graph's own links use). */
function segmentsOf(rest: string): string[] {
  const out: string[] = [];
  for (const part of rest.split("/")) {
    const call = /^([^(]+)\('([^']*)'\)$/.exec(part);
    if (call) out.push(call[1], call[2]);
    else out.push(part);
  }
  return out;
}

/** The operation a call is counted under: the path's words with ids left out. */
function operationOf(segments: string[]): string {
  return segments
    .filter((x) => /^[a-z.]+$/i.test(x) && x.length < 40)
    .join("/")
    .toLowerCase();
}

/** Concurrent calls per app and mailbox above which Graph answers 429 (MailboxConcurrency). */
export const MAILBOX_CONCURRENCY = 4;

/**
 * Answers one Microsoft Graph request from the tenant: the mailbox endpoints of graph-mailbox.ts under
 * `/{v1.0|beta}/users/{id}/...` (messages, mailFolders, delta, events, calendarView, ...),
 * `/places/microsoft.graph.room`, `$batch`; 401 for bad tokens, 403 ErrorAccessDenied outside the app's
 * scope, 404 ErrorInvalidUser for unknown users, 429 with Retry-After above 4 concurrent calls per app and
 * mailbox or when injected (see README.md).
 */
export async function handleGraphCall(
  index: TenantIndex,
  state: GraphState,
  req: GraphRequest,
): Promise<GraphReply> {
  const url = new URL(req.url, req.baseUrl);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return error(400, "BadRequest", "The request URL is not valid (percent-encoding).");
  }
  if (BATCH_PATH.test(path) && req.method === "POST") return batch(index, state, req, url);
  const user = USER_PATH.exec(path);
  const segments = user ? segmentsOf(user[3]) : [];
  const operation = user ? operationOf(segments) : ROOMS_PATH.test(path) ? "rooms" : "other";
  const target = user ? user[2].replace(/^\('|'\)$/g, "").toLowerCase() : "";
  const c = state.counters;
  c.requests += 1;
  c.byOperation[operation] = (c.byOperation[operation] ?? 0) + 1;
  if (target) c.byTarget[target] = (c.byTarget[target] ?? 0) + 1;
  let app = "";
  const slot = { key: "" };
  let reply: GraphReply;
  try {
    reply = await answer();
  } finally {
    if (slot.key) {
      const left = (state.inFlight.get(slot.key) ?? 1) - 1;
      if (left > 0) state.inFlight.set(slot.key, left);
      else state.inFlight.delete(slot.key);
    }
  }
  const outcome =
    reply.status < 300
      ? String(reply.status)
      : `${reply.status} ${(JSON.parse(reply.body) as { error?: { code?: string } }).error?.code ?? ""}`.trim();
  c.byOutcome[outcome] = (c.byOutcome[outcome] ?? 0) + 1;
  c.calls.push({ at: Date.now(), app, target, operation, status: reply.status });
  if (c.calls.length > 10_000) c.calls.shift();
  return reply;

  async function answer(): Promise<GraphReply> {
    const caller = await authenticate(index, state, req.authorization);
    if (typeof caller === "string") {
      return error(401, "InvalidAuthenticationToken", caller, {
        "WWW-Authenticate":
          'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
      });
    }
    app = caller.app;
    c.byApp[app] = (c.byApp[app] ?? 0) + 1;
    // Graph's mailbox limits are per app and mailbox; other calls are held per app.
    const holdKey = target ? `${app}\u0000${target}` : app;
    const until = state.retryUntil.get(holdKey) ?? 0;
    const now = Date.now();
    if (now < until) {
      if (now - (state.throttledAt.get(holdKey) ?? 0) <= state.faults.inFlightGraceMs) {
        c.callsInFlightAtThrottle += 1;
      } else c.callsDuringRetryAfter += 1;
      return throttled(Math.max(1, Math.ceil((until - now) / 1000)));
    }
    const f = state.faults;
    const throttle = (seconds: number) => {
      state.retryUntil.set(holdKey, now + seconds * 1000);
      state.throttledAt.set(holdKey, now);
      return throttled(seconds);
    };
    if (
      f.throttleNext > 0 ||
      (f.throttleRate > 0 && Math.random() < f.throttleRate) ||
      (target && f.throttleMailboxes.map((m) => m.toLowerCase()).includes(target))
    ) {
      if (f.throttleNext > 0) f.throttleNext -= 1;
      return throttle(f.retryAfterSeconds);
    }
    if (target) {
      const inFlight = (state.inFlight.get(holdKey) ?? 0) + 1;
      if (inFlight > MAILBOX_CONCURRENCY) {
        c.concurrencyRefused += 1;
        return throttle(f.retryAfterSeconds);
      }
      state.inFlight.set(holdKey, inFlight);
      slot.key = holdKey;
      c.maxInFlightPerMailbox = Math.max(c.maxInFlightPerMailbox, inFlight);
    }
    await req.delay?.();
    if (operation === "rooms") {
      if (req.method !== "GET") return error(405, "Request_BadRequest", "Only GET is simulated.");
      return caller.roles.includes("Place.Read.All")
        ? roomPage(index, url)
        : error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }
    if (!user) {
      return error(400, "BadRequest", `Resource not found for the segment '${path.split("/").pop() ?? ""}'.`);
    }
    const mailbox = index.byUpn.get(target) ?? index.byAddress.get(target);
    if (!mailbox || (mailbox.primarySmtpAddress !== target && mailbox.userPrincipalName !== target)) {
      return error(404, "ErrorInvalidUser", `The requested user '${user[2]}' is invalid.`);
    }
    if (mailbox.onPremises) {
      return error(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
      );
    }
    if (!scopeIncludes(caller.scope, mailbox)) {
      return error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }
    const userBase = `${url.origin}/${user[1]}/users/${user[2]}`;
    const result = state.mailboxes.handle(
      mailbox,
      { method: req.method, segments, query: url.searchParams, prefer: req.prefer ?? "", body: req.body },
      (relative) => `${userBase}/${relative}`,
    );
    if (result.error) return error(result.status, result.error.code, result.error.message, result.headers);
    if (result.value === undefined) return { status: result.status, body: "", headers: result.headers ?? {} };
    return json(result.status, result.value, result.headers);
  }
}

/** JSON batching: up to 20 requests, answered one after the other (dependsOn is honoured by that order). */
async function batch(
  index: TenantIndex,
  state: GraphState,
  req: GraphRequest,
  url: URL,
): Promise<GraphReply> {
  const body = req.body as { requests?: unknown } | undefined;
  const requests = Array.isArray(body?.requests) ? (body.requests as Record<string, unknown>[]) : undefined;
  if (!requests) return error(400, "BadRequest", "Invalid batch payload format.");
  if (requests.length > 20) {
    return error(400, "BadRequest", "Number of batch requests exceeds the limit of 20.");
  }
  const version = url.pathname.split("/")[1];
  const responses = [];
  for (const r of requests) {
    const sub = typeof r.url === "string" ? r.url : "";
    const headers = (r.headers ?? {}) as Record<string, string>;
    const reply = await handleGraphCall(index, state, {
      method: typeof r.method === "string" ? r.method.toUpperCase() : "GET",
      url: `/${version}/${sub.replace(/^\//, "")}`,
      authorization: req.authorization,
      baseUrl: url.origin,
      prefer: headers.Prefer ?? headers.prefer,
      body: r.body,
      delay: req.delay,
    });
    responses.push({
      id: typeof r.id === "string" || typeof r.id === "number" ? String(r.id) : "",
      status: reply.status,
      headers: reply.headers,
      ...(reply.body ? { body: JSON.parse(reply.body) as unknown } : {}),
    });
  }
  return json(200, { responses });
}

function throttled(seconds: number): GraphReply {
  return error(429, "TooManyRequests", "Application is over its MailboxConcurrency limit.", {
    "Retry-After": String(seconds),
  });
}

/** One page of rooms ($top, $skip; @odata.nextLink while more remain). */
function roomPage(index: TenantIndex, url: URL): GraphReply {
  const all = index.mailboxes.filter((m) => m.kind === "room");
  const top = Math.min(100, Math.max(1, Number(url.searchParams.get("$top") ?? 100) || 100));
  const skip = Math.max(0, Number(url.searchParams.get("$skip") ?? 0) || 0);
  const page = all.slice(skip, skip + top);
  const next =
    skip + top < all.length
      ? `${url.origin}/v1.0/places/microsoft.graph.room?$top=${top}&$skip=${skip + top}`
      : undefined;
  return json(200, {
    value: page.map((m) => ({
      id: Buffer.from(m.primarySmtpAddress).toString("base64url"),
      emailAddress: m.primarySmtpAddress,
      displayName: m.displayName,
      capacity: 8,
      bookingType: "standard",
      isWheelChairAccessible: true,
    })),
    ...(next ? { "@odata.nextLink": next } : {}),
  });
}
