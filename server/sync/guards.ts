import type { Request, RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import type { ServiceKeyScope } from "../../contract/sync";
import type { HttpContext } from "../http-context";
import { AppError, forbidden } from "../errors";
import type { ServiceKeyIdentity } from "./service-keys";

declare module "express-serve-static-core" {
  interface Request {
    serviceKey?: ServiceKeyIdentity;
  }
}

export const keyOf = (req: Request): ServiceKeyIdentity => {
  if (!req.serviceKey) throw new AppError(401, "invalid_service_key", "Send a service key.");
  return req.serviceKey;
};

/** What every /api/v1/sync call runs first: the service key, its rate limit, and the scope a route needs. */
export interface SyncGuards {
  requireKey: RequestHandler;
  limit: RequestHandler;
  /** Refuses a key that holds none of the scopes named (one scope, or any of several). */
  scope: (needed: ServiceKeyScope | readonly ServiceKeyScope[]) => RequestHandler;
}

/**
 * The guards, made once per app: the router and the EWS gateway's endpoint share them (one limiter, one
 * key cache), so both paths authenticate, count and refuse alike.
 */
export function syncGuards(ctx: HttpContext): SyncGuards {
  const { serviceKeys } = ctx.services;
  const requireKey: RequestHandler = async (req, _res, next) => {
    const [scheme, token] = (req.headers.authorization ?? "").split(" ", 2);
    if (scheme?.toLowerCase() !== "bearer" || !token) {
      throw new AppError(
        401,
        "invalid_service_key",
        "This endpoint takes a service key: send 'Authorization: Bearer msk_...'. Admin sessions and tokens are not accepted here.",
      );
    }
    req.serviceKey = await serviceKeys.authenticate(token);
    next();
  };
  // A hot path (the EWS gateway): counted in memory and reconciled with the database about once a
  // second, so instances share the limit without a database round trip per request.
  const limit = rateLimit({
    store: ctx.services.rateLimits.batched("sync"),
    windowMs: 60_000,
    limit: 6000,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    keyGenerator: (req) => keyOf(req).id,
    handler: () => {
      throw new AppError(
        429,
        "rate_limited",
        "Too many requests for this service key; slow down and retry after the Retry-After header.",
      );
    },
  });
  const scope = (needed: ServiceKeyScope | readonly ServiceKeyScope[]): RequestHandler => {
    const anyOf: readonly ServiceKeyScope[] = typeof needed === "string" ? [needed] : needed;
    const named = anyOf.map((s) => `'${s}'`).join(" or ");
    return (req, _res, next) => {
      const held = keyOf(req).scopes;
      if (!anyOf.some((s) => held.includes(s))) {
        throw forbidden(`This service key lacks the ${named} scope.`);
      }
      next();
    };
  };
  return { requireKey, limit, scope };
}
