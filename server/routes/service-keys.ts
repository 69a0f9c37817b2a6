import { Router } from "express";
import { CreateServiceKeyBody } from "../../contract/sync";
import { principalOf, requirePlatformAdmin } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody } from "../http/validate";

/** /api/v1/service-keys: keys for the sync service (platform admins only). */
export function serviceKeysRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { serviceKeys } = ctx.services;
  router.use(requirePlatformAdmin);

  router.get("/", async (_req, res) => {
    res.json({ data: await serviceKeys.list() });
  });

  router.post("/", async (req, res) => {
    const body = parseBody(CreateServiceKeyBody, req);
    res.status(201).json({ data: await serviceKeys.create(principalOf(req), body) });
  });

  router.delete("/:id", async (req, res) => {
    await serviceKeys.revoke(principalOf(req), param(req, "id"));
    res.status(204).end();
  });

  return router;
}
