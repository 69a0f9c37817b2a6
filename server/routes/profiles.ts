import { Router } from "express";
import { CreateProfileBody, UpdateProfileBody } from "../../contract/profiles";
import { principalOf, requireAuth } from "../auth/middleware";
import { param, parseBody } from "../http/validate";
import type { HttpContext } from "../http-context";

/** /api/v1/profiles: list, create, read, update, delete. */
export function profilesRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { profiles } = ctx.services;
  router.use(requireAuth);

  router.get("/", async (req, res) => {
    res.json({ data: await profiles.list(principalOf(req)) });
  });

  router.post("/", async (req, res) => {
    const body = parseBody(CreateProfileBody, req);
    res.status(201).json({ data: await profiles.create(principalOf(req), body) });
  });

  router.get("/:id", async (req, res) => {
    res.json({ data: await profiles.get(principalOf(req), param(req, "id")) });
  });

  router.patch("/:id", async (req, res) => {
    const body = parseBody(UpdateProfileBody, req);
    res.json({ data: await profiles.update(principalOf(req), param(req, "id"), body) });
  });

  router.delete("/:id", async (req, res) => {
    await profiles.remove(principalOf(req), param(req, "id"));
    res.status(204).end();
  });

  return router;
}
