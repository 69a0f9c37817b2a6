import type { ProfileAlert } from "../../contract/profiles";
import { failureCauseTitles, type FailureCause } from "../../contract/problems";
import type { Settings } from "../../contract/settings";
import { SYSTEM } from "../auth/principal";
import { AppError } from "../errors";
import type { Logger } from "../logger";
import { clearProfileAlert, raiseProfileAlert } from "../services/profile-alerts";
import type { JobService } from "../services/jobs";
import type { SettingsService } from "../services/settings";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import type { AlertedProfile } from "../store/monitor-repo";
import { systemClock, type Clock } from "../domain/clock";
import { stalledShareExceeded } from "../domain/stalled";
import { emptyCounts } from "../store/profiles-repo";
import { dayOf } from "../store/rollups-repo";
import { alertCard, WebhookDeliveryError } from "../services/webhook";
import type { CredentialDeadlineService } from "../services/credential-deadlines";

export interface MonitorOptions {
  store: StoreAccess;
  settings: SettingsService;
  jobs: JobService;
  log: Logger;
  /** The panel's public URL (BASE_URL): alert cards link to the profile's Problems view. */
  baseUrl?: string;
  /** How often the scheduler looks at profiles (default 30 s). */
  tickMs?: number;
  /** How often retention is applied (default hourly). */
  purgeEveryMs?: number;
  /** The clock of recheck due times, retention, the stalled rule and the rollups (tests move it). */
  clock?: Clock;
  /** Credentials and deadlines: password expiry asked with each recheck, advance alerts on each pass. */
  deadlines?: CredentialDeadlineService;
  /** How often the day's users by state and stalled counts are written to the daily rollups (default 5 min). */
  rollupEveryMs?: number;
}

const MONITOR = { ...SYSTEM, name: "monitor" };

/** Alerts that clear by their own rule, not by the next good recheck. */
const OWN_CLEARING = new Set<ProfileAlert["kind"]>(["sync-failures", "stalled-sync"]);

/**
 * The monitoring scheduler: every MONITOR_INTERVAL_MINUTES it starts a recheck-profile job per enabled
 * profile (the job runner does the checks, so failures move users to `error` with remediation); from the
 * latest finished recheck it raises or clears the profile's alert and posts one webhook card per
 * incident; and it purges audit events and check history past retention. All state lives in the store,
 * so several instances may run it: the open-job rule and the conditional alert update keep it single.
 */
export class Monitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastPurge = 0;
  private lastSnapshot: { at: number; day: string } | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: MonitorOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Repositories on the store, outside a transaction. */
  private get repos(): UnitOfWork {
    return this.options.store.repos;
  }

  start(): this {
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 30_000);
    this.timer.unref();
    return this;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** One pass: alerts from finished rechecks, new rechecks when due, retention. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const settings = await this.options.settings.effective();
      for (const profile of await this.repos.monitor.watchedProfiles()) {
        await this.evaluate(profile, settings);
        await this.startRecheckIfDue(profile.id, settings);
      }
      await this.sendDeadlineAlerts(settings);
      await this.evaluateStalled(settings);
      const now = this.clock.now();
      if (now - this.lastPurge >= (this.options.purgeEveryMs ?? 3_600_000)) {
        this.lastPurge = now;
        const cutoff = new Date(now - settings.auditRetentionDays * 86_400_000).toISOString();
        const purged = await this.repos.monitor.purgeOlderThan(cutoff);
        if (purged.auditEvents + purged.checkHistory > 0) {
          this.options.log.info(
            { ...purged, cutoff },
            "retention: purged old audit events and check history",
          );
        }
      }
    } catch (error) {
      this.options.log.warn({ err: error }, "monitor pass failed");
    } finally {
      this.running = false;
    }
  }

  private async startRecheckIfDue(profileId: string, settings: Settings): Promise<void> {
    if (settings.monitorIntervalMinutes <= 0) return;
    const last = await this.repos.monitor.lastRecheckAt(profileId);
    const intervalMs = settings.monitorIntervalMinutes * 60_000;
    if (last && this.clock.now() - Date.parse(last) < intervalMs) return;
    try {
      await this.options.store.transaction((tx) =>
        this.options.jobs.create(tx, MONITOR, profileId, "recheck-profile"),
      );
    } catch (error) {
      if (!(error instanceof AppError && error.id === "job_running")) throw error;
      return;
    }
    await this.refreshPasswordExpiry(profileId);
  }

  /** With each recheck: what Exchange tells of the service account's password expiry (basic type only). */
  private async refreshPasswordExpiry(profileId: string): Promise<void> {
    try {
      await this.options.deadlines?.refreshPasswordExpiry(profileId, AbortSignal.timeout(30_000));
    } catch (error) {
      this.options.log.warn({ err: error, profileId }, "password expiry check failed");
    }
  }

  /** Advance alerts for credentials and deadlines (each threshold once per credential). */
  private async sendDeadlineAlerts(settings: Settings): Promise<void> {
    try {
      await this.options.deadlines?.sendDueAlerts(settings);
    } catch (error) {
      this.options.log.warn({ err: error }, "deadline alerts failed");
    }
  }

  /** Raises or clears the profile's alert from its latest finished recheck. */
  private async evaluate(profile: AlertedProfile, settings: Settings): Promise<void> {
    const job = await this.repos.monitor.latestFinishedRecheck(profile.id);
    if (!job) return;
    let alert: ProfileAlert | null = null;
    const since = job.finishedAt ?? new Date().toISOString();
    if (job.state === "failed") {
      alert = { kind: "service-account-auth", message: job.reason ?? "The service account failed.", since };
    } else if (job.total > 0 && job.failed / job.total > settings.alertFailureShare) {
      alert = {
        kind: "failure-share",
        message: `${job.failed} of ${job.total} mailboxes failed their check (${Math.round((job.failed / job.total) * 100)} %).`,
        since,
      };
    }
    if (alert && !profile.alert) {
      await this.raise(settings, profile, alert);
    } else if (!alert && profile.alert && !OWN_CLEARING.has(profile.alert.kind)) {
      const before = profile.alert;
      // A sync-failures alert comes from the sync service's reports and clears with them (server/sync/sync-alerts.ts);
      // a stalled-sync alert clears when the stalled share is back under (evaluateStalled).
      await this.clear(profile.id, before);
    }
  }

  /**
   * Stalled sync (server/domain/stalled.ts), every pass: raises a profile's `stalled-sync` alert when more
   * than its share of active mailboxes is stalled (once per incident: audited, one webhook card), clears
   * it when back under; and writes the day's users by state and stalled counts to the daily rollups.
   */
  private async evaluateStalled(settings: Settings): Promise<void> {
    const now = this.clock.now();
    const { store } = this.options;
    const [profiles, stalled, counts] = await Promise.all([
      this.repos.monitor.stalledSettings(),
      this.repos.stalled.count(undefined, now),
      this.repos.profiles.countsByState(),
    ]);
    for (const profile of profiles) {
      const n = profile.syncEnabled === 1 ? (stalled.get(profile.id) ?? 0) : 0;
      const active = counts.get(profile.id)?.active ?? 0;
      const current = profile.alert;
      const over = stalledShareExceeded(n, active, profile.stalledAlertPercent);
      if (over && !current) {
        const alert: ProfileAlert = {
          kind: "stalled-sync",
          message: `${n} of ${active} active mailboxes have had no sync report for over ${profile.stalledAfterHours} h while the sync service reports for others.`,
          since: new Date(now).toISOString(),
        };
        await this.raise(settings, profile, alert);
      } else if (!over && current?.kind === "stalled-sync") {
        await this.clear(profile.id, current);
      }
    }
    const day = dayOf(now);
    const every = this.options.rollupEveryMs ?? 300_000;
    if (this.lastSnapshot && this.lastSnapshot.day === day && now - this.lastSnapshot.at < every) return;
    const at = new Date(now).toISOString();
    await store.transaction(async (tx) => {
      for (const profile of profiles) {
        await tx.rollups.writeSnapshot(
          profile.id,
          at,
          counts.get(profile.id) ?? emptyCounts(),
          stalled.get(profile.id) ?? 0,
        );
      }
    });
    this.lastSnapshot = { at: now, day };
  }

  /** Raises a profile's alert unless one is up (one transaction with its audit event), then sends its card. */
  private async raise(
    settings: Settings,
    profile: { id: string; name: string },
    alert: ProfileAlert,
  ): Promise<void> {
    if (await raiseProfileAlert(this.options.store, MONITOR, profile.id, alert)) {
      await this.notify(settings, profile, alert);
    }
  }

  /** Clears a profile's alert, audited with what it was, when it is still up. */
  private clear(profileId: string, before: ProfileAlert): Promise<void> {
    return clearProfileAlert(this.options.store, MONITOR, profileId, before);
  }

  private async notify(
    settings: Settings,
    profile: { id: string; name: string },
    alert: ProfileAlert,
  ): Promise<void> {
    if (!settings.alertWebhookUrl) return;
    const profileName = profile.name;
    // The largest group of failures, so whoever reads the card knows what to fix first.
    const top = await this.repos.monitor.topProblem(profile.id);
    const facts = [
      { title: "Profile", value: profileName },
      { title: "Since", value: alert.since },
      ...(top
        ? [
            {
              title: "Top problem",
              value: `${failureCauseTitles[top.cause as FailureCause] ?? top.cause}: ${top.count} mailbox${top.count === 1 ? "" : "es"}`,
            },
          ]
        : []),
    ];
    const link = this.options.baseUrl
      ? {
          title: "Open Problems",
          url: `${this.options.baseUrl}/profiles/${encodeURIComponent(profile.id)}/problems`,
        }
      : undefined;
    const title =
      alert.kind === "service-account-auth"
        ? `${profileName}: the service account failed`
        : alert.kind === "stalled-sync"
          ? `${profileName}: sync has stalled for many mailboxes`
          : `${profileName}: many mailboxes fail their check`;
    try {
      await this.options.settings.webhook.post(
        settings.alertWebhookUrl,
        alertCard(title, alert.message, facts, "attention", link),
      );
    } catch (error) {
      this.options.log.warn(
        { err: error instanceof WebhookDeliveryError ? error.detail : String(error) },
        "alert webhook failed",
      );
    }
  }
}
