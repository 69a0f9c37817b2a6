import type { Request, RequestHandler } from "express";
import { AppError, forbidden, unauthorized } from "../errors";
import type { LocalAdmin } from "./local-admins";
import { parseCookies, SESSION_COOKIE } from "./cookies";
import type { Principal } from "./principal";

/**
 * Turns a bearer token into a principal, or throws 401 (or rejects). Supplied by the identity module when
 * Entra is configured. Answers at once, not a promise, for a token it has already validated.
 */
export type BearerVerifier = (token: string, req: Request) => Principal | Promise<Principal>;

/** Finds the local admin whose session a cookie names (server/services/local-admins.ts). */
export interface SessionLookup {
  findSession(token: string): Promise<{ admin: LocalAdmin; idHash: string } | undefined>;
}

export interface AuthenticateOptions {
  sessions: SessionLookup;
  bearer?: BearerVerifier;
}

/**
 * Reads who is calling: an `Authorization: Bearer` token (hosts, SSO) or the local admin's session cookie.
 * Sets `req.principal`; never refuses by itself (see `requireAuth`).
 */
export function authenticate({ sessions, bearer }: AuthenticateOptions): RequestHandler {
  // Not an async function: a token already validated (every poll of a side pane) goes on at once.
  return (req, _res, next) => {
    const authorization = req.headers.authorization;
    if (!authorization) return sessionOf(req, sessions).then(() => next());
    const [scheme, token] = authorization.split(" ", 2);
    if (scheme?.toLowerCase() !== "bearer" || !token) {
      throw unauthorized("Send the token as 'Authorization: Bearer <token>'.");
    }
    // Service keys for the sync service are answered by their own routes (/api/v1/sync), never here.
    if (token.startsWith("msk_")) return next();
    if (!bearer) throw unauthorized("Sign-in with Microsoft Entra ID is not configured on this server.");
    const principal = bearer(token, req);
    if (!(principal instanceof Promise)) {
      req.principal = principal;
      return next();
    }
    return principal.then((validated) => {
      req.principal = validated;
      next();
    });
  };
}

/** Sets `req.principal` for a local admin's session cookie, if it opens a session. */
async function sessionOf(req: Request, sessions: SessionLookup): Promise<void> {
  const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (!session) return;
  const found = await sessions.findSession(session);
  if (found) {
    req.principal = {
      kind: "local",
      id: found.admin.id,
      name: found.admin.email,
      platformAdmin: true,
      sessionHash: found.idHash,
    };
  }
}

/** Refuses anonymous requests with 401. */
export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!req.principal) throw unauthorized();
  next();
};

/** Refuses everyone but platform admins. */
export const requirePlatformAdmin: RequestHandler = (req, _res, next) => {
  if (!req.principal) throw unauthorized();
  if (!req.principal.platformAdmin) throw forbidden("Only platform admins can do this.");
  next();
};

/** The caller, after `requireAuth`. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF protection for cookie sessions: a state-changing request must carry an `Origin` equal to the
 * panel's own (BASE_URL or the request's host). Bearer requests are exempt: browsers never attach them.
 */
export function requireSameOrigin(baseUrl: string): RequestHandler {
  const allowed = new URL(baseUrl).origin;
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || req.headers.authorization) return next();
    const origin = req.headers.origin;
    const own = `${req.protocol}://${req.get("host") ?? ""}`;
    if (!origin || (origin !== allowed && origin !== own)) {
      throw new AppError(
        403,
        "cross_origin_refused",
        "This request must come from the panel itself (missing or foreign Origin header).",
      );
    }
    next();
  };
}
