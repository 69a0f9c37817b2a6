import { Router } from "express";
import { principalOf, requirePlatformAdmin } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { AppError } from "../errors";
import { WebhookDeliveryError } from "../services/webhook";

/** `POST /settings/alerts/test`: sends a test card to the configured webhook. Mounted at /settings/alerts. */
export function alertsRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  router.use(requirePlatformAdmin);
  router.post("/test", async (req, res) => {
    try {
      await ctx.services.settings.sendTestAlert(principalOf(req));
    } catch (error) {
      if (!(error instanceof WebhookDeliveryError)) throw error;
      req.log.warn({ err: error.detail }, "alert webhook test failed");
      // The same answer whatever went wrong below HTTP: no open/closed port, refused or timed out.
      throw new AppError(
        502,
        "webhook_failed",
        `The test alert ${error.message}. Check the URL (a Teams Workflows webhook) and that this server can reach it.`,
      );
    }
    res.json({ data: { sent: true } });
  });
  return router;
}
