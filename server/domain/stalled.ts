/**
 * Stalled sync: an active mailbox the sync service may sync (`syncAllowed`: state `active` in a profile
 * with sync on) that has had no sync report for longer than the profile's threshold, counted from the
 * later of its last report and the time it became active, while the profile's sync service reports for
 * other mailboxes (at least one report of the profile within the threshold). A flag beside the state,
 * never a state of its own. `store/stalled-repo.ts` runs the same rule set-based; a test checks they agree.
 */

/** The profile setting's default: a day without a report. */
export const DEFAULT_STALLED_AFTER_HOURS = 24;
/** The alert's default: more than this share (%) of the profile's active mailboxes stalled. */
export const DEFAULT_STALLED_ALERT_PERCENT = 10;
export const MAX_STALLED_AFTER_HOURS = 24 * 30;

/** What the rule reads of a mailbox. */
export interface StallUser {
  state: string;
  /** The finish of its latest reported sync session, or null. */
  lastSyncAt: string | null;
  /** When it last became active (null: unknown, counted from its last report alone). */
  activeSince: string | null;
}

/** What the rule reads of the mailbox's profile. */
export interface StallProfile {
  syncEnabled: boolean;
  stalledAfterHours: number;
  /** The latest report of any of the profile's mailboxes, or null when there was none. */
  latestReportAt: string | null;
}

/** The instant before which a profile's silence counts as stalled. */
export function stalledCutoff(now: number, stalledAfterHours: number): string {
  return new Date(now - stalledAfterHours * 3_600_000).toISOString();
}

/**
 * Whether the profile's sync service reports at all (a report for some mailbox within the threshold):
 * when it reports for nobody, the service is down or not set up, which is not a mailbox's stall.
 */
export function serviceReporting(profile: StallProfile, now: number): boolean {
  return (
    profile.latestReportAt !== null && profile.latestReportAt >= stalledCutoff(now, profile.stalledAfterHours)
  );
}

/**
 * The rule for one mailbox.
 * @example isStalled({ state: "active", lastSyncAt: null, activeSince: "2026-12-01T00:00:00.000Z" },
 *   { syncEnabled: true, stalledAfterHours: 24, latestReportAt: "2026-12-03T08:00:00.000Z" },
 *   Date.parse("2026-12-03T09:00:00Z")) // true
 */
export function isStalled(user: StallUser, profile: StallProfile, now: number): boolean {
  if (user.state !== "active" || !profile.syncEnabled) return false;
  if (!serviceReporting(profile, now)) return false;
  const cutoff = stalledCutoff(now, profile.stalledAfterHours);
  const quietSince = [user.lastSyncAt, user.activeSince]
    .filter((t): t is string => t !== null)
    .sort()
    .at(-1);
  return quietSince === undefined || quietSince < cutoff;
}

/**
 * Whether a profile's stalled share calls for its alert: more than `percent` % of its active mailboxes.
 * @example stalledShareExceeded(11, 100, 10) // true
 */
export function stalledShareExceeded(stalled: number, active: number, percent: number): boolean {
  return stalled > 0 && active > 0 && stalled * 100 > active * percent;
}
