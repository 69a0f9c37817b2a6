import { afterEach, describe, expect, it } from "vitest";
import { checkHistory } from "../../test/factories/checks";
import { findJob } from "../../test/factories/jobs";
import { userRows } from "../../test/factories/users";
import { announcePostgresSkip, testDatabases } from "../../test/helpers/server";
import { startJobHarness, SYSTEM, type JobHarness } from "./testing/harness";
import { waitUntil } from "../../test/helpers/wait";
import { jobSignals } from "./signals";

announcePostgresSkip();

/** Resolves when `cond` holds (the runner works on its own timers: wait for its calls). */
const until = (cond: () => Promise<boolean> | boolean, what: string) =>
  waitUntil(cond, { what, timeoutMs: 30_000 });

/** Resolves after the job's execution has ticked (written its progress, read its state) `n` more times. */
const ticks = (jobId: string, n: number) =>
  new Promise<void>((resolve) => {
    let seen = 0;
    const off = jobSignals.onChanged(jobId, () => {
      if (++seen < n) return;
      off();
      resolve();
    });
  });

describe.each(testDatabases())("throttling never fails a user, on %s", (dialect) => {
  let h: JobHarness;
  afterEach(() => h?.close());

  const row = (jobId: string) => findJob(h, jobId);
  const states = async () => (await userRows(h)).map((u) => u.state);

  it("ends a busy storm (every call busy until some mailbox was refused 3 times, then fine) with every user active, no call of a mailbox during its back-off", async () => {
    h = await startJobHarness({ dialect, users: 60 });
    h.sim.faults.rates = { serverBusy: 1 };
    h.sim.faults.backOffMs = 200;
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    // maxAttempts 2: before, two busy answers in a row ended a user in error.
    h.runner({ maxAttempts: 2 });
    await until(async () => (await row(job.id))?.throttledSince != null, "the job to wait on Exchange");
    const waiting = (await h.jobs.get(SYSTEM, job.id)).progress;
    expect(waiting.waitingOnExchangeSince).not.toBeNull();
    // The storm goes on until a mailbox was refused more often than maxAttempts.
    await until(
      () => Math.max(...h.addresses.map((a) => h.sim.counters.byTarget[a] ?? 0)) > 2,
      "a mailbox refused 3 times",
    );
    h.sim.faults.rates = {};
    const done = await h.waitFor(job.id, ["done", "failed"], 60_000);
    expect(done).toMatchObject({ state: "done", done: 60, ok: 60, failed: 0 });
    // Every busy answer was counted (how many depends on how fast the limit fell during the storm).
    expect(done.throttled).toBeGreaterThan(0);
    expect(done.throttled).toBe(h.sim.counters.byOutcome.ErrorServerBusy);
    expect(await states()).toEqual(Array.from({ length: 60 }, () => "active"));
    const presented = (await h.jobs.get(SYSTEM, job.id)).progress;
    expect(presented.throttled).toBe(done.throttled);
    expect(presented.waitingOnExchangeSince).toBeNull();
    // One result per user, none of them a busy answer.
    const history = await checkHistory(h, { jobId: job.id });
    expect(history).toHaveLength(60);
    expect(history.every((r) => r.ok === 1)).toBe(true);
    expect(h.sim.counters.callsDuringBackOff.total).toBe(0);
  }, 90_000);

  it("returns the pending users to their earlier state when the job is cancelled during a storm", async () => {
    h = await startJobHarness({ dialect, users: 40 });
    h.sim.faults.rates = { serverBusy: 1 };
    h.sim.faults.backOffMs = 100;
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    const runner = h.runner({ maxAttempts: 2 });
    await until(async () => ((await row(job.id))?.throttled ?? 0) >= 80, "80 busy answers");
    const cancelled = await h.jobs.cancel(SYSTEM, job.id);
    expect(cancelled.state).toBe("cancelled");
    // The execution stops once its calls in flight answered: their late answers must not have written.
    await until(() => runner.activeJobIds().length === 0, "the execution to stop");
    expect(await states()).toEqual(Array.from({ length: 40 }, () => "not-activated"));
    const history = await checkHistory(h, { jobId: job.id });
    expect(history).toHaveLength(0);
    expect((await row(job.id))?.state).toBe("cancelled");
  }, 60_000);

  it("stops at its deadline (a clock the test moves) and returns the pending users to their earlier state, saying why", async () => {
    h = await startJobHarness({ dialect, users: 30 });
    h.sim.faults.rates = { serverBusy: 1 };
    h.sim.faults.backOffMs = 100;
    let clock = Date.now();
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    let deadlineReads = 0;
    const runner = h.runner({
      now: () => clock,
      deadlineHours: () => {
        deadlineReads += 1;
        return 2;
      },
    });
    await until(async () => ((await row(job.id))?.throttled ?? 0) >= 30, "30 busy answers");
    const readsBefore = deadlineReads;
    clock += 90 * 60_000; // 1.5 h: still within the deadline
    // The next tick reads the deadline again (a minute passed on its clock) and judges it; two more follow.
    await until(() => deadlineReads > readsBefore, "the deadline read again");
    await ticks(job.id, 2);
    expect((await row(job.id))?.state).toBe("running");
    expect(runner.activeJobIds()).toEqual([job.id]);
    clock += 31 * 60_000; // past 2 h after the start
    const failed = await h.waitFor(job.id, ["failed", "done", "cancelled"], 10_000);
    expect(failed.state).toBe("failed");
    expect(failed.reason).toMatch(/deadline, 2 h after it started/);
    expect(failed.reason).toMatch(/refused every call as busy since/);
    expect(failed.reason).toMatch(/30 users not checked returned to their earlier state/);
    expect(await states()).toEqual(Array.from({ length: 30 }, () => "not-activated"));
  }, 60_000);
});
