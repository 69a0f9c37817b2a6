import { Router } from "express";
import { rateLimit } from "express-rate-limit";
import { AutodiscoverBody, ConnectivityTestBody } from "../../contract/connectivity";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { AppError } from "../errors";
import { param, parseBody } from "../http/validate";

/**
 * Each test makes several calls to Exchange: a few per minute per admin and profile is plenty. Counted
 * in the database, so every instance shares the limit (low rate: one upsert per test is fine).
 */
function testLimit(ctx: HttpContext, name: string, limit: number) {
  return rateLimit({
    store: ctx.services.rateLimits.shared(name),
    windowMs: 60_000,
    limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    // From the route pattern, never the path as typed: one count per admin and profile (or route).
    keyGenerator: (req) =>
      `${principalOf(req).name}|${String(req.params.id ?? (req.route as { path: string }).path)}`,
    handler: () => {
      throw new AppError(429, "rate_limited", "Too many connectivity tests. Wait a minute and try again.");
    },
  });
}

/** /api/v1/profiles/:id/connectivity-tests (POST, GET latest) and /api/v1/autodiscover. */
export function connectivityRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { connectivity } = ctx.services;

  router.post(
    "/profiles/:id/connectivity-tests",
    requireAuth,
    testLimit(ctx, "connectivity-test", 10),
    async (req, res) => {
      const body = parseBody(ConnectivityTestBody, req);
      res.json({ data: await connectivity.run(principalOf(req), param(req, "id"), body) });
    },
  );

  router.get("/profiles/:id/connectivity-tests/latest", requireAuth, async (req, res) => {
    res.json({ data: await connectivity.latest(principalOf(req), param(req, "id")) });
  });

  router.post("/autodiscover", requireAuth, testLimit(ctx, "autodiscover", 20), async (req, res) => {
    const body = parseBody(AutodiscoverBody, req);
    res.json({ data: await connectivity.autodiscover(principalOf(req), body) });
  });

  return router;
}
