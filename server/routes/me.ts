import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from "express";
import type { AuthConfig } from "../../contract/me";
import { apiScope, isMicrosoftAuthority } from "../auth/entra";
import { principalOf, requireAuth } from "../auth/middleware";
import type { Config } from "../config";
import type { HttpContext } from "../http-context";
import { shortPath, type ShortPath } from "../http/short-path";
import type { MeStatusService } from "../services/me-status";

/** What the panel needs to sign people in with Entra ID; null when only local admins exist. */
export function authConfigOf(config: Config): AuthConfig {
  const { clientId, authority, tenantId, allowedTenants } = config.entra;
  if (!clientId) return { entra: null };
  const microsoft = isMicrosoftAuthority(authority);
  // One tenant: sign in there; several: "organizations" lets members of each sign in, the server checks the tenant.
  const tenant = tenantId ?? (allowedTenants.length === 1 ? allowedTenants[0] : "organizations");
  return {
    entra: {
      clientId,
      authority: microsoft ? `${authority}/${tenant}` : authority,
      knownAuthorities: [new URL(authority).host],
      scope: apiScope(clientId, config.baseUrl, config.entra.appIdUri),
      protocolMode: microsoft ? "AAD" : "OIDC",
    },
  };
}

/** /api/v1/me/status (the caller's own mailbox) and /api/v1/auth/config (public sign-in settings). */
export function meRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const authConfig = authConfigOf(ctx.config);
  const { meStatus } = ctx.services;

  router.get("/auth/config", (_req, res) => {
    res.setHeader("Cache-Control", "public, max-age=300");
    res.json({ data: authConfig });
  });

  // Reached only by what the short path below leaves to the app (HEAD, a trailing slash, other casing).
  router.get("/me/status", requireAuth, answerStatus(meStatus));

  return router;
}

export interface MeStatusEndpointParts {
  meStatus: MeStatusService;
  /** The security headers every answer carries (the app's helmet). */
  securityHeaders: RequestHandler;
  /** The API's authentication (bearer token or session cookie). */
  authenticate: RequestHandler;
  errorHandler: ErrorRequestHandler;
}

const ME_STATUS_PATH = /^\/api\/v1\/me\/status(?:\?|$)/;

/** Answers the signed-in caller's own status (both paths to `/me/status` end here). */
function answerStatus(meStatus: MeStatusService) {
  return async (req: Request, res: Response): Promise<void> => {
    const data = await meStatus.status(principalOf(req));
    res.setHeader("Cache-Control", "private, no-store");
    if (req.method !== "GET" || req.headers["if-none-match"] || req.headers["if-modified-since"]) {
      res.json({ data }); // HEAD and conditional requests: Express's answer (body dropped, 304 when fresh)
      return;
    }
    // What res.json writes for a plain GET (same headers, same body), without its per-call lookups
    // (content type and charset, freshness): side panes poll this path.
    const body = JSON.stringify({ data });
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Content-Length", String(Buffer.byteLength(body)));
    res.end(body);
  };
}

/**
 * `GET /api/v1/me/status` on a short path: every side pane polls it, and it needs only the security
 * headers, the caller's authentication and the lookup, not the API router's JSON parser, origin and
 * contract checks (a GET with `auth: "user"`: any signed-in caller) or its walk through every router.
 * @example app.use(requestLog(app, log), meStatusEndpoint({ meStatus, securityHeaders, authenticate, errorHandler }));
 */
export function meStatusEndpoint({
  meStatus,
  securityHeaders,
  authenticate,
  errorHandler,
}: MeStatusEndpointParts): ShortPath {
  return shortPath({
    match: (req) => (req.method === "GET" && ME_STATUS_PATH.test(req.url) ? true : null),
    checks: [securityHeaders, authenticate, requireAuth],
    serve: answerStatus(meStatus),
    errorHandler,
  });
}
