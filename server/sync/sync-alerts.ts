import type { ProfileAlert } from "../../contract/profiles";
import type { Principal } from "../auth/principal";
import type { Logger } from "../logger";
import { MonitorRepository } from "../monitoring/monitor-repo";
import { alertCard, WebhookDeliveryError } from "../services/webhook";
import { recordAudit } from "../services/audit";
import type { SettingsService } from "../services/settings";
import type { Db } from "../store/db";
import { nowIso } from "../store/db";
import { SYNC_FAILURE_ALERT_AFTER } from "./reports";

const SYNC_SERVICE: Principal = {
  kind: "local",
  id: "sync-service",
  name: "sync service",
  platformAdmin: false,
};

export interface SyncAlertDeps {
  db: Db;
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
  const { db } = deps;
  const profile = await db
    .selectFrom("profiles")
    .select(["id", "name", "alert"])
    .where("id", "=", input.profileId)
    .executeTakeFirst();
  if (!profile) return;
  const current = profile.alert ? (JSON.parse(profile.alert) as ProfileAlert) : null;

  if (input.failingStreak >= SYNC_FAILURE_ALERT_AFTER) {
    if (current) return;
    const alert: ProfileAlert = {
      kind: "sync-failures",
      message: `Sync failed ${input.failingStreak} times in a row for ${input.address}${input.lastError ? `: ${input.lastError}` : "."}`,
      since: nowIso(),
    };
    const raised = await db.transaction().execute(async (trx) => {
      if (!(await new MonitorRepository(trx).raiseAlert(profile.id, alert))) return false;
      await recordAudit(trx, {
        actor: SYNC_SERVICE,
        action: "profile.alert.raise",
        profileId: profile.id,
        after: alert,
      });
      return true;
    });
    if (!raised) return;
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
  const stillFailing = await db
    .selectFrom("users")
    .select("id")
    .where("profileId", "=", profile.id)
    .where("syncErrors", "is not", null)
    .limit(1)
    .executeTakeFirst();
  if (stillFailing) return;
  await db.transaction().execute(async (trx) => {
    if (await new MonitorRepository(trx).clearAlert(profile.id)) {
      await recordAudit(trx, {
        actor: SYNC_SERVICE,
        action: "profile.alert.clear",
        profileId: profile.id,
        before: current,
      });
    }
  });
}
