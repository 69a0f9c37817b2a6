import { Router } from "express";
import { principalOf, requirePlatformAdmin } from "../auth/middleware";
import type { AppContext } from "../context";
import { AppError, badRequest } from "../errors";
import { recordAudit } from "../services/audit";
import { alertCard, postCard } from "../monitoring/webhook";

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
      await postCard(
        alertWebhookUrl,
        alertCard(
          "Mailbox Sync Admin: test alert",
          `A test sent by ${principal.name}. Alerts about profiles will arrive here.`,
          [{ title: "Sent at", value: new Date().toISOString() }],
          "good",
        ),
      );
    } catch (error) {
      throw new AppError(
        502,
        "webhook_failed",
        `The webhook did not accept the test: ${error instanceof Error ? error.message : String(error)}. Check the URL (a Teams Workflows webhook) and that this server can reach it.`,
      );
    }
    await ctx.store.transaction((tx) =>
      recordAudit(tx, { actor: principal, action: "settings.alerts.test" }),
    );
    res.json({ data: { sent: true } });
  });
  return router;
}
