import { Router } from "express";
import { CreateAdminBody } from "../../contract/auth";
import { hashPassword } from "../auth/password";
import { principalOf, requirePlatformAdmin } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody } from "../http/validate";

/** /api/v1/admins: local admins (platform admins only). */
export function adminsRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { localAdmins } = ctx.services;
  router.use(requirePlatformAdmin);

  router.get("/", async (_req, res) => {
    res.json({ data: await localAdmins.list() });
  });

  router.post("/", async (req, res) => {
    const body = parseBody(CreateAdminBody, req);
    const admin = await localAdmins.create(principalOf(req), body.email, await hashPassword(body.password));
    res.status(201).json({ data: admin });
  });

  router.delete("/:id", async (req, res) => {
    await localAdmins.remove(principalOf(req), param(req, "id"));
    res.status(204).end();
  });

  return router;
}
