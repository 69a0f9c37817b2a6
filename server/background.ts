import type { AppContext } from "./context";
import { loadEws } from "./ews/client";
import { Monitor } from "./monitoring/monitor";
import { JobRunner } from "./jobs/runner";
import type { CheckPort } from "./jobs/types";

/** The runner and the monitor, started together and stopped together. */
export interface Background {
  runner?: JobRunner;
  monitor?: Monitor;
  close(): Promise<void>;
}

/**
 * Starts the job runner and the monitoring scheduler for a server or a worker. Without a CheckPort
 * (the EWS check service) nothing can be checked, so only the monitor's retention runs.
 * @example const bg = startBackground(ctx); ... await bg.close();
 */
export function startBackground(
  ctx: AppContext,
  options: { checks?: CheckPort; leaseMs?: number } = {},
): Background {
  const checks: CheckPort | undefined = options.checks ?? ctx.services.checks;
  const store = ctx.storeAccess;
  let runner: JobRunner | undefined;
  if (checks) {
    runner = new JobRunner({
      store,
      checks,
      log: ctx.log,
      maxConcurrency: ctx.config.jobs.maxConcurrency,
      leaseMs: options.leaseMs,
      gates: ctx.services.profileGates,
      deadlineHours: async () => (await ctx.services.settings.effective()).jobsDeadlineHours,
      metrics: ctx.metrics,
    }).start();
    if (!options.checks) {
      // The runner's checks read room lists with ews-javascript-api (seconds of CPU to load): loaded now,
      // in the background, rather than by the first job, whose calls would wait for it.
      setImmediate(() => void loadEws().catch(() => undefined));
    }
  } else {
    ctx.log.warn("job runner not started: no check service is wired");
  }
  const monitor = new Monitor({
    store,
    settings: ctx.services.settings,
    jobs: ctx.services.jobs,
    log: ctx.log,
    clock: ctx.clock,
    deadlines: ctx.services.credentialDeadlines,
    baseUrl: ctx.config.baseUrl,
  }).start();
  return {
    runner,
    monitor,
    async close() {
      await monitor.close();
      await runner?.close();
    },
  };
}
