import { Router } from "express";
import { principalOf, requirePlatformAdmin } from "../auth/middleware";
import type { AppContext } from "../context";
import { AppError, badRequest } from "../errors";
import { recordAudit } from "../services/audit";
import { alertCard, WebhookDeliveryError } from "../services/webhook";

/** `POST /settings/alerts/test`: sends a test card to the configured webhook. Mounted at /settings/alerts. */
export function alertsRouter(ctx: AppContext): Router {
  const router = Router({ caseSensitive: true });
  router.use(requirePlatformAdmin);
  router.post("/test", async (req, res) => {
    const principal = principalOf(req);
    const { alertWebhookUrl } = await ctx.services.settings.effective();
    if (!alertWebhookUrl) {
      throw badRequest("alert_webhook_not_set", "Set the alert webhook URL in Settings first.");
    }
    try {
      await ctx.services.settings.webhook.post(
        alertWebhookUrl,
        alertCard(
          "Mailbox Sync Admin: test alert",
          `A test sent by ${principal.name}. Alerts about profiles will arrive here.`,
          [{ title: "Sent at", value: new Date().toISOString() }],
          "good",
        ),
      );
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
    await ctx.store.transaction((tx) =>
      recordAudit(tx, { actor: principal, action: "settings.alerts.test" }),
    );
    res.json({ data: { sent: true } });
  });
  return router;
}
