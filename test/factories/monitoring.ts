import { createLogger } from "../../server/logger";
import { Monitor, type MonitorOptions } from "../../server/monitoring/monitor";
import type { JobService } from "../../server/services/jobs";
import type { SettingsService } from "../../server/services/settings";
import { RollupRepository } from "../../server/store/rollups-repo";
import { storeAccess } from "../../server/store/unit-of-work";
import { dbOf, type StoreHolder } from "./store";

/** A test server's context as far as the monitor needs it. */
type MonitorContext = StoreHolder & { services: { settings: SettingsService; jobs: JobService } };

/**
 * A monitor over a test server's store and services (not started: tests call `tick()`), silent.
 * @example const monitor = buildMonitor(s.ctx, { tickMs: 3_600_000, clock });
 */
export function buildMonitor(
  ctx: MonitorContext,
  options: Omit<MonitorOptions, "store" | "settings" | "jobs" | "log"> = {},
): Monitor {
  return new Monitor({
    store: storeAccess(dbOf(ctx)),
    settings: ctx.services.settings,
    jobs: ctx.services.jobs,
    log: createLogger("silent"),
    ...options,
  });
}

/**
 * Adds `checks` checks, `failures` of them failed, to a profile's daily rollup of the day of `at`.
 * @example await addCheckRollups(s.ctx, profileId, "2026-11-30T10:00:00.000Z", 50, 3);
 */
export async function addCheckRollups(
  holder: StoreHolder,
  profileId: string,
  at: string,
  checks: number,
  failures: number,
): Promise<void> {
  await new RollupRepository(dbOf(holder)).addChecks(profileId, at, checks, failures);
}

/** The daily rollups of these profiles from `fromDay` (YYYY-MM-DD) on, as the overview reads them. */
export function dailyRollups(holder: StoreHolder, profileIds: readonly string[], fromDay: string) {
  return new RollupRepository(dbOf(holder)).since(profileIds, fromDay);
}
