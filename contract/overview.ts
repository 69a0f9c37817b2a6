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

/** One UTC day of a profile's trend, from the daily rollups (a day with no row is all zeros and nulls). */
export const TrendDay = z.object({
  day: z.string(),
  checks: z.number().int(),
  checkFailures: z.number().int(),
  syncReports: z.number().int(),
  syncFailures: z.number().int(),
  /** Mailboxes in error at the day's last snapshot (null: no snapshot that day). */
  error: z.number().int().nullable(),
  stalled: z.number().int().nullable(),
});
export type TrendDay = z.infer<typeof TrendDay>;

/** A profile as the overview shows it: the profile list's fields and its health. */
export const OverviewProfile = Profile.extend({
  /** Stalled mailboxes now (see `User.stalled`). */
  stalled: z.number().int(),
  deadlines: z.array(Deadline),
  /** The last `TREND_DAYS` days, oldest first, today last. */
  trend: z.array(TrendDay),
});
export type OverviewProfile = z.infer<typeof OverviewProfile>;

/** Days ahead from which a deadline counts as "expiring" in the totals. */
export const EXPIRING_WITHIN_DAYS = 30;

export const Overview = z.object({
  generatedAt: z.string(),
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
