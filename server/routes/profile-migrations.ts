import { Router } from "express";
import { CreateMigrationBody } from "../../contract/migrations";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody } from "../http/validate";

/**
 * Move to Graph: POST /profiles/:id/migrations (202, the dry run), GET /profiles/:id/migrations/latest,
 * GET /migrations/:id, POST /migrations/:id/apply, POST /migrations/:id/rollback.
 */
export function profileMigrationsRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { migrations } = ctx.services;

  router.post("/profiles/:id/migrations", requireAuth, async (req, res) => {
    const body = parseBody(CreateMigrationBody, req);
    res.status(202).json({ data: await migrations.start(principalOf(req), param(req, "id"), body) });
  });
  router.get("/profiles/:id/migrations/latest", requireAuth, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json({ data: await migrations.latest(principalOf(req), param(req, "id")) });
  });
  router.get("/migrations/:id", requireAuth, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json({ data: await migrations.get(principalOf(req), param(req, "id")) });
  });
  router.post("/migrations/:id/apply", requireAuth, async (req, res) => {
    res.json({ data: await migrations.apply(principalOf(req), param(req, "id")) });
  });
  router.post("/migrations/:id/rollback", requireAuth, async (req, res) => {
    res.json({ data: await migrations.rollback(principalOf(req), param(req, "id")) });
  });
  return router;
}
