import { Router } from "express";
import { ProblemActionBody } from "../../contract/problems";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody } from "../http/validate";

/**
 * Problems: `/profiles/:id/problems` (one profile) and `/problems` (every profile the caller
 * administers), and their bulk actions per group. Mounted on /api/v1 itself, since its paths span two resources.
 */
export function problemsRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { problems } = ctx.services;

  router.get("/profiles/:id/problems", requireAuth, async (req, res) => {
    res.json({ data: await problems.forProfile(principalOf(req), param(req, "id")) });
  });

  router.get("/problems", requireAuth, async (req, res) => {
    res.json({ data: await problems.forAll(principalOf(req)) });
  });

  router.post("/profiles/:id/problems/:cause/actions", requireAuth, async (req, res) => {
    const body = parseBody(ProblemActionBody, req);
    res.json({
      data: await problems.act(principalOf(req), param(req, "id"), param(req, "cause"), body.action),
    });
  });

  router.post("/problems/:cause/actions", requireAuth, async (req, res) => {
    const body = parseBody(ProblemActionBody, req);
    res.json({ data: await problems.act(principalOf(req), undefined, param(req, "cause"), body.action) });
  });

  return router;
}
