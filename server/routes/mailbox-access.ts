import { Router } from "express";
import { MailboxAccessBody } from "../../contract/mailbox-access";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody } from "../http/validate";

/** /api/v1/profiles/:id/mailbox-access (GET, PUT) and /api/v1/mailbox-access-types. */
export function mailboxAccessRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { mailboxAccess } = ctx.services;

  router.get("/mailbox-access-types", requireAuth, (_req, res) => {
    res.json({ data: mailboxAccess.registry.listAccessTypes() });
  });

  router.get("/profiles/:id/mailbox-access", requireAuth, async (req, res) => {
    const { view, etag } = await mailboxAccess.get(principalOf(req), param(req, "id"));
    if (etag) res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", "no-store");
    res.json({ data: view });
  });

  router.put("/profiles/:id/mailbox-access", requireAuth, async (req, res) => {
    const body = parseBody(MailboxAccessBody, req);
    const saved = await mailboxAccess.put(principalOf(req), param(req, "id"), body, req.get("if-match"));
    res.setHeader("ETag", saved.etag);
    res.json({ data: saved.view, warnings: saved.warnings });
  });

  return router;
}
