import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../logger";
import type { StoreAccess } from "../store/unit-of-work";
import { AdaptiveLimit, profileGate, Semaphore } from "./adaptive-limit";
import { JobExecution, type ExecutionOptions } from "./execution";
import { jobSignals } from "./signals";
import type { CheckPort } from "./types";
import type { Metrics } from "../metrics/metrics";

export interface RunnerOptions {
  store: StoreAccess;
  checks: CheckPort;
  log: Logger;
  /** JOBS_MAX_CONCURRENCY: calls in flight across every job of this runner. */
  maxConcurrency: number;
  /** How long a claim lasts without a heartbeat (default 30 s); a crashed runner's work is retaken after it. */
  leaseMs?: number;
  /** How often to look for runnable jobs (default 500 ms). */
  pollMs?: number;
  tickMs?: number;
  maxAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per-profile gates shared with other callers of Exchange in this process (check now). */
  gates?: Map<string, AdaptiveLimit>;
  /** The clock job deadlines are judged by (default Date.now; tests move it). */
  now?: () => number;
  /** Hours after its start at which a job stops (JOBS_DEADLINE_HOURS or the setting; default 24). */
  deadlineHours?: () => Promise<number> | number;
  /** The app's metrics: job items done and throttled. */
  metrics?: Metrics;
}

/**
 * The job runner: claims runnable jobs from the store (one runner drives a job at a time, under a
 * lease renewed by a heartbeat) and executes them. Runs in the server (`JOBS_RUNNER=on`) or alone
 * (`npm run worker`); several runners share one PostgreSQL.
 * @example const runner = new JobRunner({ store, checks, log, maxConcurrency: 50 }); runner.start(); await runner.close();
 */
export class JobRunner {
  /** This runner's identity in leases. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly executions = new Map<string, { execution: JobExecution; done: Promise<unknown> }>();
  private readonly global: Semaphore;
  readonly gates: Map<string, AdaptiveLimit>;
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;
  private polling = false;
  /** A job became runnable while a poll was under way: poll once more when it ends. */
  private pollAgain = false;
  private closed = false;
  private readonly execOptions: ExecutionOptions;
  /** Connections the running jobs may use (sum of their profiles' limits): no claim beyond the global cap. */
  private committed = 0;
  /** Jobs this runner has claimed since it started. */
  jobsClaimed = 0;

  constructor(private readonly options: RunnerOptions) {
    this.global = new Semaphore(options.maxConcurrency);
    this.gates = options.gates ?? new Map<string, AdaptiveLimit>();
    this.execOptions = {
      owner: this.owner,
      leaseMs: options.leaseMs ?? 30_000,
      tickMs: options.tickMs ?? 500,
      maxAttempts: options.maxAttempts ?? 4,
      retryBaseMs: options.retryBaseMs ?? 500,
      retryMaxMs: options.retryMaxMs ?? 10_000,
      now: options.now ?? Date.now,
      deadlineHours: async () => (await options.deadlineHours?.()) ?? 24,
    };
  }

  /** The profile's gate, created on first use; its ceiling follows maxConcurrentConnections. */
  gateFor(profileId: string, max: number): AdaptiveLimit {
    return profileGate(this.gates, profileId, max);
  }

  /**
   * Starts polling for jobs; a job created or resumed in this process is claimed at once (other
   * instances' jobs at the next poll).
   */
  start(): this {
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 500);
    this.stopListening = jobSignals.onRunnable(() => void this.poll());
    void this.poll();
    return this;
  }

  /** Ids of the jobs this runner drives right now. */
  activeJobIds(): string[] {
    return [...this.executions.keys()];
  }

  /** Looks for a runnable job now (also called by the timer). */
  async poll(): Promise<void> {
    if (this.closed) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      const repo = this.options.store.repos.jobs;
      while (!this.closed && this.committed < this.options.maxConcurrency) {
        const job = await repo.claimJob(this.owner, this.execOptions.leaseMs, [...this.executions.keys()]);
        if (!job) break;
        this.jobsClaimed += 1;
        const share = Math.min(
          this.options.maxConcurrency,
          (await repo.profileConcurrency(job.profileId)) ?? 1,
        );
        this.committed += share;
        const execution = new JobExecution(
          {
            store: this.options.store,
            checks: this.options.checks,
            log: this.options.log,
            global: this.global,
            gateFor: (p, m) => this.gateFor(p, m),
            options: this.execOptions,
            metrics: this.options.metrics,
          },
          job,
        );
        this.options.log.info(
          { jobId: job.id, kind: job.kind, profileId: job.profileId, owner: this.owner },
          "job claimed",
        );
        const done = execution
          .run()
          .catch((error: unknown) =>
            this.options.log.error(
              { err: error, jobId: job.id },
              "job execution crashed; another claim retries it after the lease",
            ),
          )
          .finally(() => {
            this.executions.delete(job.id);
            this.committed -= share;
          });
        this.executions.set(job.id, { execution, done });
      }
    } catch (error) {
      this.options.log.warn({ err: error }, "job poll failed");
    } finally {
      this.polling = false;
      if (this.pollAgain) {
        this.pollAgain = false;
        void this.poll();
      }
    }
  }

  /** Stops claiming, aborts in-flight checks and gives every unfinished item back. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.stopListening?.();
    const running = [...this.executions.values()];
    for (const r of running) r.execution.shutdown();
    await Promise.allSettled(running.map((r) => r.done));
  }
}
