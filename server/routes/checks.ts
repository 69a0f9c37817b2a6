import { Router } from "express";
import { CheckUsersBody } from "../../contract/connectivity";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody } from "../http/validate";

/** /api/v1/profiles/:id/checks: check now, at most 50 users per request. */
export function checksRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  router.post("/profiles/:id/checks", requireAuth, async (req, res) => {
    const body = parseBody(CheckUsersBody, req);
    res.json({ data: await ctx.services.checks.checkNow(principalOf(req), param(req, "id"), body.userIds) });
  });
  return router;
}
