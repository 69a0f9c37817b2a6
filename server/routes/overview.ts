import { Router } from "express";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";

/** /api/v1/overview: the Profiles page's overview (profile admins see their own profiles). */
export function overviewRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  router.use(requireAuth);
  router.get("/", async (req, res) => {
    res.json({ data: await ctx.services.overview.get(principalOf(req)) });
  });
  return router;
}
