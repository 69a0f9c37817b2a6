import type { CheckResult } from "../domain/access-outcome";
import type { Logger } from "../logger";
import { isoNow } from "../domain/clock";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import type { CheckedUser, CheckMode, CheckPort } from "./types";

/** Results per transaction at most. */
const BATCH = 200;

interface PendingResult {
  userId: string;
  result: CheckResult;
  resolve(): void;
}

/**
 * Writes item results with group commit: whatever results arrive while a transaction is in progress go
 * into the next one. Each item's result and its user's update are still in the same transaction, and an
 * item is written only while this runner holds its lease, so a resume neither loses nor repeats results.
 * Callers keep their concurrency slot until `write` resolves, so unwritten results count as in flight
 * (freeing it when Exchange answered let items wait unwritten past their lease under load, and two runners
 * then checked some twice: server/jobs/two-runners.test.ts).
 */
export class ResultWriter {
  private queue: PendingResult[] = [];
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly store: StoreAccess,
    private readonly checks: CheckPort,
    private readonly log: Logger,
    private readonly job: {
      id: string;
      owner: string;
      mode: CheckMode;
      /** The job's profile: its daily rollup counts the checks written (not a kind's own writer's). */
      profileId?: string;
      /** The kind's own writer (Move to Graph's dry run), instead of `checks.applyResult`. */
      write?: (tx: UnitOfWork, user: CheckedUser, result: CheckResult) => Promise<void>;
    },
  ) {}

  /** Resolves once the result is committed (or dropped because the item is no longer this runner's). */
  write(userId: string, result: CheckResult): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ userId, result, resolve });
      this.scheduleFlush();
    });
  }

  /**
   * Flushes after the answers already read in this turn of the event loop have been queued too: when the
   * server is idle a result is written at once; when it is busy, the answers that arrived together share
   * one transaction (one commit, a few set-based statements) instead of one each.
   */
  private scheduleFlush(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH);
        await this.writeBatch(batch);
        for (const p of batch) p.resolve();
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeBatch(batch: PendingResult[]): Promise<void> {
    const { id: jobId, owner, mode } = this.job;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.transaction(async (tx) => {
          const completed = await tx.jobs.completeItems(
            jobId,
            owner,
            batch.map(({ userId, result }) => ({
              userId,
              ok: result.ok,
              code: result.ok ? null : (result.error?.code ?? "unknown"),
            })),
          );
          const users = await tx.jobs.users([...completed]);
          const items: { user: CheckedUser; result: CheckResult }[] = [];
          for (const { userId, result } of batch) {
            const user = completed.has(userId) ? users.get(userId) : undefined;
            if (user) items.push({ user, result });
          }
          if (this.job.write) {
            for (const { user, result } of items) await this.job.write(tx, user, result);
          } else if (this.checks.applyResults) {
            await this.checks.applyResults(tx, items, { mode, jobId });
          } else {
            for (const { user, result } of items) {
              await this.checks.applyResult(tx, user, result, { mode, jobId });
            }
          }
          if (!this.job.write && this.job.profileId && items.length > 0) {
            // One upsert per batch, not per check: the day's counters the overview's trend reads.
            const failures = items.filter((i) => !i.result.ok).length;
            await tx.rollups.addChecks(this.job.profileId, isoNow(), items.length, failures);
          }
        });
        return;
      } catch (error) {
        if (attempt >= 3) {
          // Give the items back so they are checked again rather than left leased forever.
          this.log.error(
            { err: error, jobId, items: batch.length },
            "could not write job results; the items will be checked again",
          );
          await this.store.repos.jobs
            .releaseItems(
              jobId,
              owner,
              batch.map((b) => b.userId),
            )
            .catch(() => undefined);
          return;
        }
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
}
