import { z } from "zod";
import { Id } from "./common";
import { Profile, StateCounts } from "./profiles";

/** Days of the overview's failure trend. */
export const TREND_DAYS = 30;

/**
 * A credential or platform deadline of a profile. `kind` stays an open string: `certificate` (an app-only
 * certificate's expiry), `ews-deadline` (EWS's end in Exchange Online), and others as they are added.
 */
export const Deadline = z.object({
  profileId: Id,
  kind: z.string(),
  /** When it is due (ISO). */
  dueAt: z.string(),
  /** Whole days left (0 on the day, negative once past). */
  daysLeft: z.number().int(),
});
export type Deadline = z.infer<typeof Deadline>;

/**
 * A profile's last `TREND_DAYS` UTC days from the daily rollups, one array per figure (index i is
 * `Overview.trendDays[i]`; a day with no row has zeros, and null snapshots).
 */
export const Trend = z.object({
  checks: z.array(z.number().int()),
  checkFailures: z.array(z.number().int()),
  syncReports: z.array(z.number().int()),
  syncFailures: z.array(z.number().int()),
  /** Mailboxes in error at the day's last snapshot (null: no snapshot that day). */
  error: z.array(z.number().int().nullable()),
  stalled: z.array(z.number().int().nullable()),
});
export type Trend = z.infer<typeof Trend>;

/** A profile as the overview shows it: the profile list's fields and its health. */
export const OverviewProfile = Profile.extend({
  /** Stalled mailboxes now (see `User.stalled`). */
  stalled: z.number().int(),
  deadlines: z.array(Deadline),
  trend: Trend,
});
export type OverviewProfile = z.infer<typeof OverviewProfile>;

/** Days ahead from which a deadline counts as "expiring" in the totals. */
export const EXPIRING_WITHIN_DAYS = 30;

export const Overview = z.object({
  generatedAt: z.string(),
  /** The trend's days (`YYYY-MM-DD`, UTC), oldest first, today last. */
  trendDays: z.array(z.string()),
  totals: z.object({
    profiles: z.number().int(),
    counts: StateCounts,
    stalled: z.number().int(),
    /** Profiles with an open alert. */
    openAlerts: z.number().int(),
    /** Deadlines due within `EXPIRING_WITHIN_DAYS` days (or past). */
    credentialsExpiring: z.number().int(),
  }),
  profiles: z.array(OverviewProfile),
});
export type Overview = z.infer<typeof Overview>;
