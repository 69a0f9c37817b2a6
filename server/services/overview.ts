import { userStates } from "../../contract/common";
import {
  EXPIRING_WITHIN_DAYS,
  TREND_DAYS,
  type Overview,
  type OverviewProfile,
  type Trend,
} from "../../contract/overview";
import type { Principal } from "../auth/principal";
import type { Clock } from "../domain/clock";
import { emptyCounts } from "../store/profiles-repo";
import { dayOf, type TrendDay } from "../store/rollups-repo";
import type { StoreAccess } from "../store/unit-of-work";
import { DeadlineService, type Deadline } from "./deadlines";
import type { ProfileService } from "./profiles";

/** A profile's trend over `days`, one array per figure, zeros (and null snapshots) where no row exists. */
function trendOf(rows: readonly TrendDay[], days: readonly string[]): Trend {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const each = <T>(pick: (r: TrendDay | undefined) => T) => days.map((day) => pick(byDay.get(day)));
  return {
    checks: each((r) => r?.checks ?? 0),
    checkFailures: each((r) => r?.checkFailures ?? 0),
    syncReports: each((r) => r?.syncReports ?? 0),
    syncFailures: each((r) => r?.syncFailures ?? 0),
    error: each((r) => r?.error ?? null),
    stalled: each((r) => r?.stalled ?? null),
  };
}

/**
 * The overview the Profiles page shows: every profile the caller manages (profile admins: theirs) with
 * users by state, stalled count, alert, deadlines and a 30-day trend read from the daily rollups; totals
 * over them on top. A handful of set-based queries whatever the number of profiles or users.
 */
export class OverviewService {
  private readonly deadlines: DeadlineService;

  constructor(
    private readonly store: StoreAccess,
    private readonly profiles: ProfileService,
    private readonly clock: Clock,
    deadlines?: DeadlineService,
  ) {
    this.deadlines = deadlines ?? new DeadlineService(store);
  }

  async get(principal: Principal): Promise<Overview> {
    const now = this.clock.now();
    const days = Array.from({ length: TREND_DAYS }, (_, i) => dayOf(now - (TREND_DAYS - 1 - i) * 86_400_000));
    const ids = await this.profiles.visibleIds(principal);
    const [profiles, stalled, rollups, deadlines] = await Promise.all([
      this.profiles.list(principal),
      this.store.repos.stalled.count(ids, now),
      this.store.repos.rollups.trendDays(ids, days[0]),
      this.deadlines.deadlinesFor(ids, now),
    ]);
    const rowsOf = new Map<string, TrendDay[]>();
    for (const r of rollups) {
      const own = rowsOf.get(r.profileId);
      if (own) own.push(r);
      else rowsOf.set(r.profileId, [r]);
    }
    const deadlinesOf = new Map<string, Deadline[]>();
    for (const d of deadlines) deadlinesOf.set(d.profileId, [...(deadlinesOf.get(d.profileId) ?? []), d]);

    const counts = emptyCounts();
    let stalledTotal = 0;
    let openAlerts = 0;
    let expiring = 0;
    const result: OverviewProfile[] = profiles.map((p) => {
      for (const s of userStates) counts[s] += p.counts[s];
      const n = stalled.get(p.id) ?? 0;
      stalledTotal += n;
      if (p.alert) openAlerts += 1;
      const own = deadlinesOf.get(p.id) ?? [];
      expiring += own.filter((d) => d.daysLeft <= EXPIRING_WITHIN_DAYS).length;
      return { ...p, stalled: n, deadlines: own, trend: trendOf(rowsOf.get(p.id) ?? [], days) };
    });
    return {
      generatedAt: new Date(now).toISOString(),
      trendDays: days,
      totals: {
        profiles: result.length,
        counts,
        stalled: stalledTotal,
        openAlerts,
        credentialsExpiring: expiring,
      },
      profiles: result,
    };
  }
}
