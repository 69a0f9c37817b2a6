import { Router } from "express";
import { ListAuditQuery } from "../../contract/audit";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { parseQuery } from "../http/validate";

/** /api/v1/audit-events: newest first, keyset by id, filterable by profile. */
export function auditRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  router.get("/", requireAuth, async (req, res) => {
    res.json(await ctx.services.auditEvents.list(principalOf(req), parseQuery(ListAuditQuery, req)));
  });
  return router;
}
