import { Router } from "express";
import { CreateAdminBody } from "../../contract/auth";
import { hashPassword } from "../auth/password";
import { principalOf, requirePlatformAdmin } from "../auth/middleware";
import type { AppContext } from "../context";
import { conflict, notFound } from "../errors";
import { param, parseBody } from "../http/validate";
import { recordAudit } from "../services/audit";

/** /api/v1/admins: local admins (platform admins only). */
export function adminsRouter(ctx: AppContext): Router {
  const router = Router({ caseSensitive: true });
  const { admins } = ctx.services;
  router.use(requirePlatformAdmin);

  router.get("/", async (_req, res) => {
    res.json({ data: await admins.list() });
  });

  router.post("/", async (req, res) => {
    const body = parseBody(CreateAdminBody, req);
    if (await admins.findByEmail(body.email)) throw conflict(`${body.email} is already an admin.`);
    const admin = await admins.create(body.email, await hashPassword(body.password));
    await recordAudit(ctx.store.db, { actor: principalOf(req), action: "admin.create", target: admin.email });
    res.status(201).json({ data: admin });
  });

  router.delete("/:id", async (req, res) => {
    const id = param(req, "id");
    const me = principalOf(req);
    if (me.kind === "local" && me.id === id) throw conflict("You can't remove yourself. Ask another admin.");
    const target = await admins.findById(id);
    if (!target) throw notFound("Admin not found.");
    if ((await admins.count()) <= 1) throw conflict("This is the last local admin; add another one first.");
    await admins.remove(id);
    await recordAudit(ctx.store.db, { actor: me, action: "admin.remove", target: target.email });
    res.status(204).end();
  });

  return router;
}
