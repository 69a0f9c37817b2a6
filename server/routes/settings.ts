import { Router } from "express";
import { UpdateSettingsBody } from "../../contract/settings";
import { principalOf, requirePlatformAdmin } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { parseBody } from "../http/validate";

/** /api/v1/settings: platform settings (platform admins only). */
export function settingsRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { settings } = ctx.services;
  router.get("/", requirePlatformAdmin, async (req, res) => {
    res.json({ data: await settings.get(principalOf(req)) });
  });
  router.put("/", requirePlatformAdmin, async (req, res) => {
    const body = parseBody(UpdateSettingsBody, req);
    res.json({ data: await settings.update(principalOf(req), body) });
  });
  return router;
}
