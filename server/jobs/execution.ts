import { setMaxListeners } from "node:events";
import type { JobState } from "../../contract/jobs";
import type { CheckResult } from "../domain/access-outcome";
import { isThrottled } from "../domain/throttled";
import type { Metrics } from "../metrics/metrics";
import { AppError } from "../errors";
import type { Logger } from "../logger";
import type { StoreAccess } from "../store/unit-of-work";
import { AdaptiveLimit, Semaphore } from "./adaptive-limit";
import { leaseRenewEveryMs, type ClaimedItem, type JobRepository, type JobRow } from "../store/job-repo";
import { jobKindDefinitions } from "./kinds";
import { ResultWriter } from "./result-writer";
import { jobSignals } from "./signals";
import type { CheckPort, MailboxChecker } from "./types";

/** Tunables of the runner; tests shorten the lease and the retry delays. */
export interface ExecutionOptions {
  owner: string;
  leaseMs: number;
  /** How often progress is written and the job's state (pause, cancel) is read. */
  tickMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** The clock the deadline is judged by (tests move it). */
  now: () => number;
  /**
   * Hours after its start at which a job stops (JOBS_DEADLINE_HOURS, or the setting): the only end,
   * besides cancel, of a job whose calls Exchange keeps refusing as busy. Read at the start and every minute.
   */
  deadlineHours: () => Promise<number>;
}

export interface ExecutionDeps {
  store: StoreAccess;
  checks: CheckPort;
  log: Logger;
  global: Semaphore;
  gateFor(profileId: string, max: number): AdaptiveLimit;
  options: ExecutionOptions;
  /** Counts items done and throttled (the app's metrics; absent: not counted). */
  metrics?: Metrics;
}

/**
 * How long an item waits before its next attempt. When the server said how long to back off
 * (`BackOffMilliseconds`, `Retry-After`), that, doubled per attempt, plus up to a quarter of jitter: the
 * profile's gate already holds every call for the back-off, so waiting longer only delays this mailbox.
 * Otherwise exponential from `retryBaseMs`, with "equal jitter" (half fixed, half random).
 */
export function retryDelayMs(
  attempt: number,
  backOffMs: number | undefined,
  options: Pick<ExecutionOptions, "retryBaseMs" | "retryMaxMs">,
): number {
  if (backOffMs !== undefined) {
    return Math.min(options.retryMaxMs, backOffMs * 2 ** (attempt - 1)) * (1 + Math.random() / 4);
  }
  const exp = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (attempt - 1));
  return exp / 2 + Math.random() * (exp / 2);
}

/** How long a throttled item waits: the announced back-off plus up to a quarter of jitter. */
export function throttleDelayMs(backOffMs: number | undefined, fallbackMs: number): number {
  return (backOffMs ?? fallbackMs) * (1 + Math.random() / 4);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** The result of a check that crashed (a bug, not an answer of the server): the error's message, for the log. */
const crashed = (error: unknown, transient: boolean): CheckResult => ({
  ok: false,
  ms: 0,
  error: {
    code: "check_crashed",
    message: error instanceof Error ? error.message : String(error),
    remediation: "Try again; if it persists, report it with the server log.",
    transient,
  },
});

/** Items one execution works on at once: calls in flight, and items waiting out a back-off. */
const MAX_OPEN_ITEMS = 256;
/** The most items one claim leases. */
const MAX_CLAIM = 200;

/** Why an execution stopped driving its job. */
/** How soon a job whose execution failed on the store can be claimed again. */
const HAND_BACK_MS = 1_000;

type StopReason = "finished" | "paused" | "cancelled" | "lease-lost" | "shutdown" | "failed" | "handed-back";

/**
 * Drives one job on this runner: claims item batches, checks them under the profile's adaptive limit and
 * the runner's global cap, writes each result once (with the user update, in one transaction), and
 * watches the job row for pause and cancel so any instance's API can steer it.
 */
export class JobExecution {
  private readonly repo: JobRepository;
  private readonly abort = new AbortController();
  private stop: StopReason | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Items leased by this runner but not started. */
  private queue: ClaimedItem[] = [];
  private addresses = new Map<string, string>();
  /**
   * Items this execution holds: claimed and not yet written or given back. Only their leases are renewed:
   * an item leased under this owner that nobody works on (its claim's answer was lost, or giving it back
   * failed) lets its lease run out and is claimed again, instead of holding the job open for good.
   */
  private readonly held = new Set<string>();
  /** The next batch, claimed while the current one still runs (so no slot waits for the claim). */
  private nextBatch: Promise<{ batch: ClaimedItem[]; addresses: Map<string, string> }> | undefined;
  /** Whether `nextBatch` has landed (when the queue runs out before it did, claims grow). */
  private nextBatchLanded = false;
  /**
   * Items per claim: twice the profile's limit at first, doubled (up to MAX_CLAIM) each time the queue ran
   * out before the next batch was claimed, so fast calls or a slow store don't leave slots waiting.
   */
  private claimSize = 10;
  private failure: string | undefined;
  private writer: ResultWriter | undefined;
  /** Items whose processing failed unexpectedly (not their check): how many times, by user id. */
  private readonly crashes = new Map<string, number>();
  /** Busy answers not yet added to the job row. */
  private throttledToWrite = 0;
  /** Since when every answer has been busy (cleared by a call that passed). */
  private throttledSince: number | undefined;
  /** When the job's deadline passes (from its start and the deadline in hours). */
  private deadline: { at: number; hours: number; readAt: number } | undefined;
  private deadlinePassed = false;

  constructor(
    private readonly deps: ExecutionDeps,
    readonly job: JobRow,
  ) {
    this.repo = deps.store.repos.jobs;
    // One listener per call in flight (up to the profile's 27) plus waits: more than Node's default 10.
    setMaxListeners(1000, this.abort.signal);
  }

  /** Stops soon: in-flight calls are aborted and every unfinished item is given back. */
  shutdown(): void {
    this.halt("shutdown");
    this.abort.abort(new Error("runner shutting down"));
  }

  private halt(reason: StopReason): void {
    this.stop ??= reason;
  }

  /** Runs until the job ends, pauses, is cancelled, or the runner shuts down. */
  async run(): Promise<StopReason> {
    const { options, log } = this.deps;
    const { id: jobId, profileId } = this.job;
    const def = jobKindDefinitions[this.job.kind];
    const max = (await this.repo.profileConcurrency(profileId)) ?? 1;
    const gate = this.deps.gateFor(profileId, max);
    const checks = this.deps.checks;
    this.writer = new ResultWriter(this.deps.store, checks, log, {
      id: jobId,
      owner: options.owner,
      mode: def.mode,
      profileId,
      write: def.writeResult
        ? (tx, user, result) => def.writeResult!(checks, tx, this.job, user, result)
        : undefined,
    });
    let checker: MailboxChecker;
    try {
      checker = def.checker ? await def.checker(checks, this.job) : await checks.checkerFor(profileId);
    } catch (error) {
      // A configuration the admin must fix (none saved, unreadable) fails the job with its reason. Anything
      // else is the store failing (a restart, a killed connection): the job is given up here, not failed,
      // and claimed again at the next poll (seen in CI: a killed connection failed a 3,000-user job).
      if (error instanceof AppError) {
        await this.failJob(error.message);
        return "failed";
      }
      log.warn(
        { err: error, jobId },
        "could not read the profile's mailbox access; the job will be claimed again",
      );
      await this.repo.dropLease(jobId, options.owner).catch(() => undefined);
      return "handed-back";
    }
    await this.readDeadline();
    this.checkDeadline();
    const tick = setInterval(() => void this.onTick(), options.tickMs);
    const renew = setInterval(() => void this.onRenew(), leaseRenewEveryMs(options.leaseMs));
    let crashed: unknown;
    try {
      try {
        await this.loop(gate, checker);
      } catch (error) {
        // The store failed under the loop (a killed connection, a failover): the job is handed back at
        // once rather than left to its lease (30 s), and claimed again at the next poll.
        crashed = error;
        this.halt("handed-back");
      }
      await Promise.allSettled([...this.inFlight]);
      // A claim still under way would lease items after they were given back: let it land first.
      await this.nextBatch?.catch(() => undefined);
      this.nextBatch = undefined;
      if (crashed !== undefined) {
        clearInterval(renew);
        log.warn({ err: crashed, jobId }, "the store failed while the job ran; it is handed back");
        await this.repo.releaseOwned(jobId, options.owner).catch(() => undefined);
        // Claimable again in a second (not at once: a fault that repeats must not spin).
        await this.repo.renewLease(jobId, options.owner, HAND_BACK_MS, []).catch(() => undefined);
        this.held.clear();
        this.queue = [];
        return "handed-back";
      }
      await this.repo.releaseOwned(jobId, options.owner);
      this.held.clear();
      this.queue = [];
      if (this.stop === "shutdown" || this.stop === "paused") {
        await this.writeProgress();
        await this.repo.dropLease(jobId, options.owner);
        jobSignals.changed(jobId);
      }
      if (this.stop === "cancelled") await this.writeProgress().catch(() => undefined);
      if (this.deadlinePassed) this.failure ??= await this.deadlineReason();
      if (this.failure) await this.failJob(this.failure);
      log.info({ jobId, stop: this.stop }, "job execution stopped");
      return this.stop ?? "shutdown";
    } finally {
      clearInterval(tick);
      clearInterval(renew);
    }
  }

  /** Claims items and starts their checks until the job stops; throws when the store fails. */
  private async loop(gate: AdaptiveLimit, checker: MailboxChecker): Promise<void> {
    const { options } = this.deps;
    const jobId = this.job.id;
    while (!this.stop) {
      if (this.queue.length === 0) {
        const prefetched = this.nextBatch;
        if (prefetched && !this.nextBatchLanded) {
          this.claimSize = Math.min(MAX_CLAIM, this.claimSize * 2);
        }
        const claimed = prefetched ?? this.claimBatch(gate);
        this.nextBatch = undefined;
        const { batch, addresses } = await claimed;
        if (batch.length === 0) {
          if (this.inFlight.size > 0) {
            await Promise.race(this.inFlight);
            continue;
          }
          if ((await this.repo.remaining(jobId)) === 0) {
            await this.writeProgress();
            await this.repo.transition(jobId, ["running"], "done");
            jobSignals.changed(jobId);
            this.halt("finished");
          } else {
            // Items leased by a runner that stalled: wait for their leases to run out.
            await sleep(options.tickMs, this.abort.signal);
          }
          continue;
        }
        // Every item of the previous batch has started (and read its address): the map can be swapped.
        this.addresses = addresses;
        this.queue = batch;
      }
      if (this.inFlight.size >= MAX_OPEN_ITEMS) {
        // Results come faster than the store takes them: wait for some to be written.
        await Promise.race(this.inFlight);
        continue;
      }
      try {
        await gate.acquire(this.abort.signal);
      } catch {
        break;
      }
      if (this.stop) {
        gate.release();
        break;
      }
      await this.deps.global.acquire();
      const item = this.queue.shift()!;
      if (this.queue.length <= Math.max(gate.limit, this.claimSize / 2) && !this.nextBatch && !this.stop) {
        this.nextBatchLanded = false;
        const next = this.claimBatch(gate);
        this.nextBatch = next;
        // Awaited (and thrown) when the queue runs out.
        next.then(
          () => {
            if (this.nextBatch === next) this.nextBatchLanded = true;
          },
          () => undefined,
        );
      }
      const p = this.process(item, checker, gate).finally(() => {
        this.inFlight.delete(p);
      });
      this.inFlight.add(p);
    }
  }

  /** Leases the next items of the job and reads their addresses. */
  private async claimBatch(
    gate: AdaptiveLimit,
  ): Promise<{ batch: ClaimedItem[]; addresses: Map<string, string> }> {
    const { options } = this.deps;
    this.claimSize = Math.max(this.claimSize, gate.max * 2);
    const batch = await this.repo.claimItems(this.job.id, options.owner, this.claimSize, options.leaseMs, [
      ...this.held,
    ]);
    for (const item of batch) this.held.add(item.userId);
    return {
      batch,
      addresses: batch.length
        ? await this.repo.addresses(batch.map((b) => b.userId))
        : new Map<string, string>(),
    };
  }

  /**
   * Checks one item with retries for transient errors, then writes its result. Holds one gate slot (and
   * one of the runner's) while a call is in flight, none while it waits to retry. An item that ends
   * without a result while the job goes on is given back at once, to be checked again without waiting
   * for its lease to run out.
   */
  private async process(item: ClaimedItem, checker: MailboxChecker, gate: AdaptiveLimit): Promise<void> {
    const { options } = this.deps;
    const address = this.addresses.get(item.userId);
    let holding = true;
    let written = false;
    const releaseSlot = () => {
      if (!holding) return;
      holding = false;
      gate.release();
      this.deps.global.release();
    };
    const write = async (result: CheckResult) => {
      await this.write(item.userId, result);
      written = true;
    };
    try {
      if (address === undefined) {
        // The user was deleted after the job was created: close the item without a check.
        await write({
          ok: false,
          ms: 0,
          error: {
            code: "user_deleted",
            message: "The user was removed.",
            remediation: "",
            transient: false,
          },
        });
        return;
      }
      for (let attempt = 1; ;) {
        let result: CheckResult;
        const epoch = gate.epoch;
        // A signal per call: fetch keeps its listener on the signal it gets until garbage collection,
        // so one long-lived signal would collect thousands of listeners over a big job.
        const call = new AbortController();
        const onAbort = () => call.abort(this.abort.signal.reason);
        this.abort.signal.addEventListener("abort", onAbort, { once: true });
        try {
          result = await checker(address, call.signal);
        } catch (error) {
          if (this.abort.signal.aborted) return;
          result = crashed(error, true);
        } finally {
          this.abort.signal.removeEventListener("abort", onAbort);
        }
        if (this.abort.signal.aborted || this.stop === "cancelled" || this.stop === "lease-lost") return;
        const err = result.error;
        if (result.ok || !err) {
          gate.onSuccess(epoch);
          this.throttledSince = undefined;
          await write(result);
          this.deps.metrics?.jobItem(this.job.kind, "ok");
          return;
        }
        if (err.serviceAccountFailure) {
          this.failure ??= `${err.message} ${err.remediation}`.trim();
          this.halt("failed");
          this.abort.abort(new Error("service account failed"));
          return;
        }
        const throttled = isThrottled(err);
        let delayMs: number;
        if (throttled) {
          // Overload, not a fault of the mailbox: not an attempt, and never the user's result. Only cancel
          // or the job's deadline ends the wait.
          gate.onBusy(err.backOffMs, err.backOffScope ?? "profile", epoch);
          this.throttledToWrite += 1;
          this.deps.metrics?.jobItem(this.job.kind, "throttled");
          this.throttledSince ??= options.now();
          delayMs = throttleDelayMs(err.backOffMs, options.retryBaseMs);
        } else {
          if (!err.transient || attempt >= options.maxAttempts) {
            await write(result);
            this.deps.metrics?.jobItem(this.job.kind, "failed");
            return;
          }
          delayMs = retryDelayMs(attempt, err.backOffMs, options);
          attempt += 1;
        }
        releaseSlot();
        await sleep(delayMs, this.abort.signal);
        if (this.stop) return;
        try {
          await gate.acquire(this.abort.signal);
        } catch {
          return; // aborted while waiting: no slot was taken, none to give back
        }
        if (this.abort.signal.aborted) {
          gate.release();
          return;
        }
        await this.deps.global.acquire();
        holding = true;
      }
    } catch (error) {
      // Given back below and checked again, up to maxAttempts times; then closed with the error.
      const crashes = (this.crashes.get(item.userId) ?? 0) + 1;
      this.crashes.set(item.userId, crashes);
      this.deps.log.error(
        { err: error, jobId: this.job.id, userId: item.userId, crashes },
        "job item failed",
      );
      if (!written && crashes >= options.maxAttempts) {
        await write(crashed(error, false)).catch(() => undefined);
      }
    } finally {
      releaseSlot();
      // Stopping (pause, cancel, shutdown...): run() gives back or closes every open item once the calls settled.
      if (!written && !this.stop) await this.giveBack(item.userId);
      if (written || !this.stop) this.held.delete(item.userId);
    }
  }

  /** Returns an item this runner leased to the queue now (its lease would otherwise be renewed for good). */
  private async giveBack(userId: string): Promise<void> {
    try {
      await this.repo.releaseItems(this.job.id, this.deps.options.owner, [userId]);
    } catch (error) {
      this.deps.log.warn({ err: error, jobId: this.job.id, userId }, "could not give a job item back");
    }
  }

  /** The item's result and the user's new state, in one transaction, only while this runner holds the item. */
  private write(userId: string, result: CheckResult): Promise<void> {
    return this.writer!.write(userId, result);
  }

  private async failJob(reason: string): Promise<void> {
    const def = jobKindDefinitions[this.job.kind];
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.jobs.transition(this.job.id, ["running", "paused", "queued"], "failed", { reason }))) {
        return;
      }
      await tx.jobs.closeOpenItems(this.job.id);
      await def.onAbort?.(tx, this.job.id);
    });
    await this.writeProgress();
    jobSignals.changed(this.job.id);
    this.deps.log.warn({ jobId: this.job.id, reason }, "job failed");
  }

  private async onTick(): Promise<void> {
    try {
      await this.writeProgress();
      jobSignals.changed(this.job.id);
      const row = await this.repo.find(this.job.id);
      this.react(row?.state, row?.leaseOwner === this.deps.options.owner);
      if (this.deadline && this.deps.options.now() - this.deadline.readAt >= 60_000) {
        await this.readDeadline();
      }
      this.checkDeadline();
    } catch (error) {
      this.deps.log.warn({ err: error, jobId: this.job.id }, "job tick failed");
    }
  }

  /** Copies the items' counts, and the busy answers counted since the last write, onto the job row. */
  private async writeProgress(): Promise<void> {
    const add = this.throttledToWrite;
    this.throttledToWrite = 0;
    const since = this.throttledSince === undefined ? null : new Date(this.throttledSince).toISOString();
    try {
      await this.repo.writeProgress(this.job.id, { add, since });
    } catch (error) {
      this.throttledToWrite += add;
      throw error;
    }
  }

  private async readDeadline(): Promise<void> {
    const now = this.deps.options.now();
    try {
      const hours = await this.deps.options.deadlineHours();
      const started = Date.parse(this.job.startedAt ?? this.job.createdAt);
      this.deadline = { at: started + hours * 3_600_000, hours, readAt: now };
    } catch (error) {
      // Keep the deadline read before (a store hiccup must not stop the job, nor drop its deadline).
      this.deps.log.warn({ err: error, jobId: this.job.id }, "could not read the job deadline setting");
      if (this.deadline) this.deadline.readAt = now;
    }
  }

  /** Stops the job once its deadline has passed; run() then fails it with the reason. */
  private checkDeadline(): void {
    if (this.stop || !this.deadline || this.deps.options.now() < this.deadline.at) return;
    this.deadlinePassed = true;
    this.halt("failed");
    this.abort.abort(new Error("job deadline passed"));
  }

  private async deadlineReason(): Promise<string> {
    const left = await this.repo.remaining(this.job.id).catch(() => undefined);
    const waiting =
      this.throttledSince === undefined
        ? ""
        : ` Exchange had refused every call as busy since ${new Date(this.throttledSince).toISOString()}.`;
    return (
      `Stopped at the job's deadline, ${this.deadline?.hours ?? "?"} h after it started (JOBS_DEADLINE_HOURS or Settings).${waiting} ` +
      `${left ?? "The"} users not checked returned to their earlier state; start the job again when Exchange has capacity.`
    );
  }

  private async onRenew(): Promise<void> {
    try {
      const state = await this.repo.renewLease(
        this.job.id,
        this.deps.options.owner,
        this.deps.options.leaseMs,
        [...this.held],
      );
      this.react(state ?? "running", state !== undefined);
    } catch (error) {
      this.deps.log.warn({ err: error, jobId: this.job.id }, "job lease renewal failed");
    }
  }

  private react(state: JobState | undefined, ours: boolean): void {
    if (this.stop) return;
    if (state === "cancelled" || state === "failed" || state === undefined) {
      this.halt("cancelled");
      this.abort.abort(new Error("job cancelled"));
    } else if (!ours) {
      this.halt("lease-lost");
      this.abort.abort(new Error("lease lost"));
    } else if (state === "paused") {
      this.halt("paused");
    }
  }
}
