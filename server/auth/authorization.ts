import type { Request, RequestHandler } from "express";
import type { Endpoint } from "../../contract/endpoints";
import { AppError, forbidden, unauthorized } from "../errors";
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

/**
 * The one authorization layer in front of every /api/v1 route, driven by each endpoint's `auth` in
 * contract/endpoints.ts: `none` passes, `user` needs someone signed in, `admin` a platform admin or a
 * profile admin (of the profile the request names, if it names one), `platform` a platform admin;
 * `service-key` routes check their key themselves. Routes also check in their services; this layer
 * makes sure a route can't forget. A route missing from the contract needs a signed-in caller and is
 * logged, so it gets listed.
 * @example api.use(authorizeByContract(endpoints, ctx.services.profiles, ctx.log));
 */
export function authorizeByContract(
  endpoints: Endpoint[],
  profiles: { visibleIds(principal: Principal): Promise<string[] | undefined> },
  log: Logger,
): RequestHandler {
  const compiled = endpoints.map(compile).sort((a, b) => a.params.length - b.params.length);
  const warned = new Set<string>();
  return async (req, _res, next) => {
    const match = matchEndpoint(compiled, req.method, req.path);
    if (!match) {
      if (req.method === "OPTIONS") return next();
      const key = `${req.method} ${req.path}`;
      if (!warned.has(key)) {
        warned.add(key);
        log.warn({ route: key }, "route not listed in contract/endpoints.ts: requiring a signed-in caller");
      }
      // A service key (`msk_…`) carries no principal: such routes check the key themselves.
      if (!req.principal && !req.headers.authorization?.startsWith("Bearer msk_")) throw unauthorized();
      return next();
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
