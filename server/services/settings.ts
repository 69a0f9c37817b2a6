import { Settings, type UpdateSettingsBody } from "../../contract/settings";
import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import { badRequest, forbidden, validationFailed } from "../errors";
import { checkUrl, UrlPolicyError } from "../ews/url-policy";
import { alertCard, WebhookSender } from "./webhook";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import { recordAudit } from "./audit";

/** Hours without a successful Connect account token refresh before the connection counts as stale. */
export const DEFAULT_OAUTH_STALE_HOURS = 24;

/**
 * Shows a webhook URL without its path and query, which often carry the webhook's secret.
 * @example redactUrl("https://hooks.example.com/T0/B1/secret") // "https://hooks.example.com/…"
 */
export function redactUrl(url: string | null): string | null {
  if (!url) return url;
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return "[invalid URL]";
  }
}

/**
 * Platform settings (alert webhook, monitor interval, alert failure share, audit retention): defaults
 * from the configuration, overrides stored in the `settings` table. Jobs and monitoring read
 * `effective()` each time they need a value, so a change applies on every instance without a restart.
 */
export class SettingsService {
  /** Delivers alert cards to the webhook, under the outbound URL policy with WEBHOOK_ALLOWED_HOSTS. */
  readonly webhook: WebhookSender;

  constructor(
    private readonly store: StoreAccess,
    private readonly config: Config,
    webhook?: WebhookSender,
  ) {
    this.webhook = webhook ?? new WebhookSender({ allowedHosts: config.monitor.webhookAllowedHosts });
  }

  /** The settings in force now. */
  effective(): Promise<Settings> {
    return this.effectiveWith(this.store.repos);
  }

  private async effectiveWith(tx: UnitOfWork): Promise<Settings> {
    const defaults: Settings = {
      alertWebhookUrl: this.config.monitor.webhookUrl ?? null,
      monitorIntervalMinutes: this.config.monitor.intervalMinutes,
      alertFailureShare: this.config.monitor.alertFailureShare,
      auditRetentionDays: this.config.auditRetentionDays,
      jobsDeadlineHours: this.config.jobs.deadlineHours,
      oauthStaleHours: DEFAULT_OAUTH_STALE_HOURS,
    };
    const stored = await tx.settings.all();
    const merged = { ...defaults };
    for (const key of Object.keys(defaults) as (keyof Settings)[]) {
      if (!(key in stored)) continue;
      // A stored value that no longer fits the schema is ignored rather than breaking every reader.
      const candidate = Settings.safeParse({ ...merged, [key]: stored[key] });
      if (candidate.success) Object.assign(merged, { [key]: candidate.data[key] });
    }
    return merged;
  }

  /** Platform admins only. */
  async get(principal: Principal): Promise<Settings> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can see settings.");
    return this.effective();
  }

  /** Changes the given settings (platform admins only), audited with the webhook URL redacted. */
  async update(principal: Principal, patch: UpdateSettingsBody): Promise<Settings> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can change settings.");
    if (patch.alertWebhookUrl) this.checkWebhookUrl(patch.alertWebhookUrl);
    return this.store.transaction(async (tx) => {
      const before = await this.effectiveWith(tx);
      await tx.settings.put(patch);
      const after = await this.effectiveWith(tx);
      await recordAudit(tx, {
        actor: principal,
        action: "settings.update",
        before: { ...before, alertWebhookUrl: redactUrl(before.alertWebhookUrl) },
        after: { ...after, alertWebhookUrl: redactUrl(after.alertWebhookUrl) },
      });
      return after;
    });
  }

  /**
   * Sends a test card to the alert webhook (platform admins only), audited once delivered. A failed
   * delivery throws `WebhookDeliveryError` with the same message whatever went wrong below HTTP.
   */
  async sendTestAlert(principal: Principal): Promise<void> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can send a test alert.");
    const { alertWebhookUrl } = await this.effective();
    if (!alertWebhookUrl) {
      throw badRequest("alert_webhook_not_set", "Set the alert webhook URL in Settings first.");
    }
    await this.webhook.post(
      alertWebhookUrl,
      alertCard(
        "Mailbox Sync Admin: test alert",
        `A test sent by ${principal.name}. Alerts about profiles will arrive here.`,
        [{ title: "Sent at", value: new Date().toISOString() }],
        "good",
      ),
    );
    await this.store.transaction((tx) =>
      recordAudit(tx, { actor: principal, action: "settings.alerts.test" }),
    );
  }

  /**
   * The outbound URL policy with WEBHOOK_ALLOWED_HOSTS: https to public hosts; an address in private,
   * loopback or link-local space, a `localhost` name or plain http only when listed; metadata addresses
   * never. Names are resolved (and checked again) at each delivery.
   */
  private checkWebhookUrl(value: string): void {
    const refuse = (message: string) =>
      validationFailed(`alertWebhookUrl: ${message}`, [{ path: "alertWebhookUrl", message }]);
    let url: URL;
    try {
      url = checkUrl(value, this.webhook.policy);
    } catch (error) {
      if (error instanceof UrlPolicyError) throw refuse(error.message);
      throw error;
    }
    const host = url.hostname.toLowerCase();
    const allowed = this.config.monitor.webhookAllowedHosts.map((h) => h.toLowerCase());
    if ((host === "localhost" || host.endsWith(".localhost")) && !allowed.includes(host)) {
      throw refuse(`${host} is this machine: add it to WEBHOOK_ALLOWED_HOSTS to allow it.`);
    }
  }
}
