import type { Request, RequestHandler } from "express";
import type { Endpoint } from "../../contract/endpoints";
import { AppError, forbidden, notFound, unauthorized } from "../errors";
import type { Logger } from "../logger";
import type { Principal } from "./principal";

/** An endpoint with its path compiled for matching. */
interface CompiledEndpoint {
  endpoint: Endpoint;
  pattern: RegExp;
  params: string[];
}

function compile(endpoint: Endpoint): CompiledEndpoint {
  const params: string[] = [];
  const source = endpoint.path
    .split("/")
    .map((segment) => {
      if (!segment.startsWith(":")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(segment.slice(1));
      return "([^/]+)";
    })
    .join("/");
  return { endpoint, pattern: new RegExp(`^${source}/?$`), params };
}

/** A path segment decoded, or a 400 for broken percent-encoding (a user's typo, not our failure). */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError(400, "bad_request", "The URL has broken percent-encoding (%XX) in it.");
  }
}

/** The contract's endpoint for a request (literal paths win over parameters), or undefined. */
export function matchEndpoint(
  compiled: CompiledEndpoint[],
  method: string,
  path: string,
): { endpoint: Endpoint; params: Record<string, string> } | undefined {
  const m = method === "HEAD" ? "get" : method.toLowerCase();
  for (const c of compiled) {
    if (c.endpoint.method !== m) continue;
    const found = c.pattern.exec(path);
    if (!found) continue;
    return {
      endpoint: c.endpoint,
      params: Object.fromEntries(c.params.map((name, i) => [name, decodeParam(found[i + 1])])),
    };
  }
  return undefined;
}

/** The profile a request is about, if it names one: `/profiles/:id/...`, `?profileId=` or a body `profileId`. */
function profileIdOf(req: Request, endpoint: Endpoint, params: Record<string, string>): string | undefined {
  if (endpoint.path.startsWith("/profiles/:id") && params.id) return params.id;
  if (typeof req.query.profileId === "string") return req.query.profileId;
  const body: unknown = req.body;
  if (body && typeof body === "object" && "profileId" in body && typeof body.profileId === "string") {
    return body.profileId;
  }
  return undefined;
}

/** How many unknown routes the layer remembers, and how often it logs each. */
const UNKNOWN_ROUTES_KEPT = 500;
const UNKNOWN_ROUTE_LOG_EVERY_MS = 60_000;
/** Longer paths are logged cut to this length (anyone may send them). */
const LOGGED_PATH_CHARS = 200;

/**
 * The routes asked for that the contract doesn't list, each logged at most once a minute, in bounded
 * memory: at most `kept` routes are remembered; when all of them were logged within the last minute,
 * further unknown routes are counted, not logged, and the count goes with the next line logged.
 * @example const unknown = new UnknownRoutes(log); unknown.note("GET", "/nope");
 */
export class UnknownRoutes {
  /** Route → when it was last logged; oldest first (a logged route moves to the end). */
  private readonly loggedAt = new Map<string, number>();
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly kept = UNKNOWN_ROUTES_KEPT,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many routes are remembered now (never more than `kept`). */
  get size(): number {
    return this.loggedAt.size;
  }

  /** Logs the route unless it was logged within the last minute; returns whether it did. */
  note(method: string, path: string): boolean {
    const route = `${method} ${path.length > LOGGED_PATH_CHARS ? `${path.slice(0, LOGGED_PATH_CHARS)}…` : path}`;
    const now = this.now();
    const fresh = (at: number | undefined) => at !== undefined && now - at < UNKNOWN_ROUTE_LOG_EVERY_MS;
    if (fresh(this.loggedAt.get(route))) return false;
    this.loggedAt.delete(route);
    for (const [oldest, at] of this.loggedAt) {
      if (this.loggedAt.size < this.kept && fresh(at)) break;
      if (fresh(at)) {
        // Full of routes logged within the minute: count this one instead of logging it.
        this.suppressed++;
        return false;
      }
      this.loggedAt.delete(oldest);
    }
    this.loggedAt.set(route, now);
    const notLogged = this.suppressed;
    this.suppressed = 0;
    this.log.warn(
      { route, ...(notLogged ? { unknownRoutesNotLogged: notLogged } : {}) },
      "refused a route not listed in contract/endpoints.ts",
    );
    return true;
  }
}

/**
 * The one authorization layer in front of every /api/v1 route, driven by each endpoint's `auth` in
 * contract/endpoints.ts: `none` passes, `user` needs someone signed in, `admin` a platform admin or a
 * profile admin (of the profile the request names, if it names one), `platform` a platform admin;
 * `service-key` routes check their key themselves. Routes also check in their services; this layer
 * makes sure a route can't forget. It fails closed: a route missing from the contract answers 404
 * `not_found` for everyone, as a route that doesn't exist (and is logged, see `UnknownRoutes`).
 * Matching is case-sensitive, like the routers (`caseSensitive: true`): `/Autodiscover` is no route.
 * @example api.use(authorizeByContract(endpoints, ctx.services.profiles, ctx.log));
 */
export function authorizeByContract(
  endpoints: readonly Endpoint[],
  profiles: { visibleIds(principal: Principal): Promise<string[] | undefined> },
  log: Logger,
  unknown: UnknownRoutes = new UnknownRoutes(log),
): RequestHandler {
  const compiled = endpoints.map(compile).sort((a, b) => a.params.length - b.params.length);
  return async (req, _res, next) => {
    const match = matchEndpoint(compiled, req.method, req.path);
    if (!match) {
      // Express answers OPTIONS itself (an Allow header); no handler runs.
      if (req.method === "OPTIONS") return next();
      unknown.note(req.method, req.path);
      throw notFound(`No API endpoint ${req.method} ${req.path}.`);
    }
    const { endpoint, params } = match;
    if (endpoint.auth === "none" || endpoint.auth === "service-key") return next();
    const principal = req.principal;
    if (!principal) throw unauthorized();
    if (endpoint.auth === "user" || principal.platformAdmin) return next();
    if (endpoint.auth === "platform") throw forbidden("Only platform admins can do this.");
    // auth === "admin": a profile admin, limited to their profiles.
    const ids = (await profiles.visibleIds(principal)) ?? [];
    if (ids.length === 0) {
      throw forbidden("Only admins can do this. Your own sync status is under My status.");
    }
    const profileId = profileIdOf(req, endpoint, params);
    if (profileId !== undefined && !ids.includes(profileId)) {
      throw forbidden("You are not an admin of this profile.");
    }
    next();
  };
}
