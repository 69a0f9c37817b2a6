import { Router } from "express";
import { RosterQuery, SyncReportBody } from "../../contract/sync";
import type { HttpContext } from "../http-context";
import { param, parseBody, parseQuery } from "../http/validate";
import { keyOf, type SyncGuards } from "../sync/guards";

export { syncGuards } from "../sync/guards";

/**
 * /api/v1/sync: the sync service's interface. Only service keys work here, and a service key works
 * nowhere else (the admin routes ignore `msk_` tokens). The EWS gateway's own endpoint
 * (`sync/gateway-endpoint.ts`) answers before this router, with the same guards.
 */
export function syncRouter(ctx: HttpContext, { requireKey, limit, scope }: SyncGuards): Router {
  const router = Router({ caseSensitive: true });
  router.use(requireKey, limit);

  router.get("/mailboxes", scope("roster:read"), async (req, res) => {
    const query = parseQuery(RosterQuery, req);
    res.json(await ctx.services.syncReports.roster(keyOf(req), query));
  });

  router.post("/mailboxes/:address/reports", scope("reports:write"), async (req, res) => {
    const body = parseBody(SyncReportBody, req);
    const address = param(req, "address");
    const session = await ctx.services.syncReports.report(keyOf(req), address, body);
    res.status(201).json({ data: session });
  });

  return router;
}
