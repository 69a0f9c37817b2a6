import type { ProfileAlert } from "../../contract/profiles";
import type { Principal } from "../auth/principal";
import type { Logger } from "../logger";
import { alertCard, WebhookDeliveryError } from "../services/webhook";
import { clearProfileAlert, raiseProfileAlert } from "../services/profile-alerts";
import type { SettingsService } from "../services/settings";
import { isoNow } from "../domain/clock";
import type { StoreAccess } from "../store/unit-of-work";
import { SYNC_FAILURE_ALERT_AFTER } from "./reports";

const SYNC_SERVICE: Principal = {
  kind: "local",
  id: "sync-service",
  name: "sync service",
  platformAdmin: false,
};

export interface SyncAlertDeps {
  store: StoreAccess;
  settings: SettingsService;
  log: Logger;
}

/**
 * After a sync report: a mailbox that failed `SYNC_FAILURE_ALERT_AFTER` sessions in a row raises the
 * profile's alert (once per incident, audited, posted to the webhook like monitoring's alerts); the
 * alert clears itself when no mailbox of the profile has sync errors left.
 */
export async function evaluateSyncAlert(
  deps: SyncAlertDeps,
  input: { profileId: string; address: string; failingStreak: number; lastError?: string },
): Promise<void> {
  const { store } = deps;
  const profile = await store.repos.monitor.alertOf(input.profileId);
  if (!profile) return;
  const current = profile.alert;

  if (input.failingStreak >= SYNC_FAILURE_ALERT_AFTER) {
    if (current) return;
    const alert: ProfileAlert = {
      kind: "sync-failures",
      message: `Sync failed ${input.failingStreak} times in a row for ${input.address}${input.lastError ? `: ${input.lastError}` : "."}`,
      since: isoNow(),
    };
    if (!(await raiseProfileAlert(store, SYNC_SERVICE, profile.id, alert))) return;
    const settings = await deps.settings.effective();
    if (!settings.alertWebhookUrl) return;
    await deps.settings.webhook
      .post(
        settings.alertWebhookUrl,
        alertCard(`${profile.name}: sync keeps failing`, alert.message, [
          { title: "Profile", value: profile.name },
          { title: "Since", value: alert.since },
        ]),
      )
      .catch((error: unknown) =>
        deps.log.warn(
          { err: error instanceof WebhookDeliveryError ? error.detail : String(error) },
          "alert webhook failed",
        ),
      );
    return;
  }

  if (current?.kind !== "sync-failures") return;
  if (await store.repos.monitor.hasSyncErrors(profile.id)) return;
  await clearProfileAlert(store, SYNC_SERVICE, profile.id, current);
}
