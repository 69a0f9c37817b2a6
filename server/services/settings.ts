import { Settings, type UpdateSettingsBody } from "../../contract/settings";
import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import { forbidden, validationFailed } from "../errors";
import type { Db } from "../store/db";
import { SettingsRepository } from "../store/settings-repo";
import { recordAudit } from "./audit";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

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
  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  /** The settings in force now. */
  effective(): Promise<Settings> {
    return this.effectiveWith(this.db);
  }

  private async effectiveWith(db: Db): Promise<Settings> {
    const defaults: Settings = {
      alertWebhookUrl: this.config.monitor.webhookUrl ?? null,
      monitorIntervalMinutes: this.config.monitor.intervalMinutes,
      alertFailureShare: this.config.monitor.alertFailureShare,
      auditRetentionDays: this.config.auditRetentionDays,
    };
    const stored = await new SettingsRepository(db).all();
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
    return this.db.transaction().execute(async (trx) => {
      const before = await this.effectiveWith(trx);
      await new SettingsRepository(trx).put(patch);
      const after = await this.effectiveWith(trx);
      await recordAudit(trx, {
        actor: principal,
        action: "settings.update",
        before: { ...before, alertWebhookUrl: redactUrl(before.alertWebhookUrl) },
        after: { ...after, alertWebhookUrl: redactUrl(after.alertWebhookUrl) },
      });
      return after;
    });
  }

  /** https anywhere; plain http only to a loopback host that EWS_ALLOWED_HOSTS lists (tests, local tools). */
  private checkWebhookUrl(value: string): void {
    const url = new URL(value);
    if (url.username || url.password) {
      throw validationFailed("alertWebhookUrl: must not contain a user name or password", [
        { path: "alertWebhookUrl", message: "must not contain credentials" },
      ]);
    }
    if (url.protocol === "https:") return;
    const allowed = this.config.ews.allowedHosts.map((h) => h.toLowerCase());
    if (LOOPBACK.has(url.hostname) && (allowed.includes(url.hostname) || allowed.includes(url.host))) return;
    throw validationFailed("alertWebhookUrl: must be an https:// URL", [
      { path: "alertWebhookUrl", message: "must be an https:// URL" },
    ]);
  }
}
