import { Router } from "express";
import { ProfileAdminsBody } from "../../contract/me";
import { principalOf, requirePlatformAdmin } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody } from "../http/validate";

/** /api/v1/profiles/:id/admins: who administers a profile (platform admins only). */
export function profileAdminsRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { profileAdmins } = ctx.services;

  router.get("/:id/admins", requirePlatformAdmin, async (req, res) => {
    res.json({ data: await profileAdmins.list(principalOf(req), param(req, "id")) });
  });

  router.put("/:id/admins", requirePlatformAdmin, async (req, res) => {
    const body = parseBody(ProfileAdminsBody, req);
    res.json({ data: await profileAdmins.replace(principalOf(req), param(req, "id"), body) });
  });

  return router;
}
