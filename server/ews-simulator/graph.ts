import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from "jose";
import { scopeIncludes, type ImpersonationScope, type ResolvedMailbox, type TenantIndex } from "./tenant";

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
}

/** The Graph half of the simulator: faults, counters and per-app Retry-After deadlines. */
export interface GraphState {
  faults: GraphFaults;
  counters: GraphCounters;
  retryUntil: Map<string, number>;
  /** When each app was last sent a fresh 429. */
  throttledAt: Map<string, number>;
  jwks: Map<string, ReturnType<typeof createRemoteJWKSet>>;
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
    },
    retryUntil: new Map(),
    throttledAt: new Map(),
    jwks: new Map(),
  };
}

/** Zeroes the counters and forgets Retry-After deadlines. */
export function resetGraphState(state: GraphState): void {
  Object.assign(state.counters, createGraphState().counters);
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

const USER_PATH = /^\/v1\.0\/users\/([^/]+)\/(mailboxsettings|mailfolders\/inbox|calendar|contacts)$/i;
const ROOMS_PATH = /^\/v1\.0\/places\/microsoft\.graph\.room$/i;

/**
 * Answers one Microsoft Graph request (the subset the Graph app-only type uses) from the tenant:
 * `/users/{id}/mailboxSettings`, `/users/{id}/mailFolders/inbox`, `/users/{id}/calendar`,
 * `/places/microsoft.graph.room`; 401 for bad tokens, 403 ErrorAccessDenied outside the app's scope,
 * 404 ErrorInvalidUser for unknown users, 429 with Retry-After when injected (see README.md).
 */
export async function handleGraphCall(
  index: TenantIndex,
  state: GraphState,
  req: { method: string; url: string; authorization?: string; baseUrl: string },
): Promise<GraphReply> {
  const url = new URL(req.url, req.baseUrl);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return error(400, "BadRequest", "The request URL is not valid (percent-encoding).");
  }
  const user = USER_PATH.exec(path);
  const operation = user ? user[2].toLowerCase() : ROOMS_PATH.test(path) ? "rooms" : "other";
  const target = user ? user[1].toLowerCase() : "";
  const c = state.counters;
  c.requests += 1;
  c.byOperation[operation] = (c.byOperation[operation] ?? 0) + 1;
  if (target) c.byTarget[target] = (c.byTarget[target] ?? 0) + 1;
  let app = "";
  const reply = await answer();
  const outcome =
    reply.status === 200
      ? "200"
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
    const until = state.retryUntil.get(app) ?? 0;
    const now = Date.now();
    if (now < until) {
      if (now - (state.throttledAt.get(app) ?? 0) <= state.faults.inFlightGraceMs) {
        c.callsInFlightAtThrottle += 1;
      } else c.callsDuringRetryAfter += 1;
      return throttled(Math.max(1, Math.ceil((until - now) / 1000)));
    }
    const f = state.faults;
    if (
      f.throttleNext > 0 ||
      (f.throttleRate > 0 && Math.random() < f.throttleRate) ||
      (target && f.throttleMailboxes.map((m) => m.toLowerCase()).includes(target))
    ) {
      if (f.throttleNext > 0) f.throttleNext -= 1;
      state.retryUntil.set(app, now + f.retryAfterSeconds * 1000);
      state.throttledAt.set(app, now);
      return throttled(f.retryAfterSeconds);
    }
    if (req.method !== "GET") return error(405, "Request_BadRequest", "Only GET is simulated.");
    if (operation === "rooms") {
      return caller.roles.includes("Place.Read.All")
        ? roomPage(index, url)
        : error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }
    if (!user) {
      return error(400, "BadRequest", `Resource not found for the segment '${path.split("/").pop() ?? ""}'.`);
    }
    const mailbox = index.byUpn.get(target) ?? index.byAddress.get(target);
    if (!mailbox || (mailbox.primarySmtpAddress !== target && mailbox.userPrincipalName !== target)) {
      return error(404, "ErrorInvalidUser", `The requested user '${user[1]}' is invalid.`);
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
    return mailboxResource(operation, mailbox, req.baseUrl);
  }
}

function throttled(seconds: number): GraphReply {
  return error(429, "TooManyRequests", "Application is over its MailboxConcurrency limit.", {
    "Retry-After": String(seconds),
  });
}

function mailboxResource(operation: string, m: ResolvedMailbox, base: string): GraphReply {
  const id = Buffer.from(`${m.primarySmtpAddress}/${operation}`).toString("base64url");
  if (operation === "mailboxsettings") {
    return json(200, {
      "@odata.context": `${base}/v1.0/$metadata#users('${m.primarySmtpAddress}')/mailboxSettings`,
      timeZone: "W. Europe Standard Time",
      language: { locale: "en-US", displayName: "English (United States)" },
      automaticRepliesSetting: { status: "disabled", externalAudience: "all" },
      userPurpose: m.kind === "user" ? "user" : m.kind,
    });
  }
  if (operation === "contacts") {
    return json(200, {
      "@odata.context": `${base}/v1.0/$metadata#users('${m.primarySmtpAddress}')/contacts`,
      value: [],
    });
  }
  if (operation === "mailfolders/inbox") {
    const total = m.items?.inbox ?? (m.kind === "user" ? 3 : 0);
    return json(200, {
      id,
      displayName: "Inbox",
      parentFolderId: "root",
      childFolderCount: 0,
      unreadItemCount: Math.min(1, total),
      totalItemCount: total,
      isHidden: false,
    });
  }
  return json(200, {
    id,
    name: "Calendar",
    canEdit: true,
    canShare: true,
    isDefaultCalendar: true,
    owner: { name: m.displayName, address: m.primarySmtpAddress },
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
