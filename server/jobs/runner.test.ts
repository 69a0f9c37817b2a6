import { afterEach, describe, expect, it } from "vitest";
import { checkHistory } from "../../test/factories/checks";
import { claimJobAs, countJobItems } from "../../test/factories/jobs";
import { userRows } from "../../test/factories/users";
import { announcePostgresSkip, testDatabases } from "../../test/helpers/server";
import { DEMO } from "../ews-simulator";
import { AppError } from "../errors";
import { storeAccessOf } from "../../test/factories/store";
import { soapCheckPort } from "./testing/soap-check-port";
import { startJobHarness, SYSTEM, type JobHarness } from "./testing/harness";
import { waitUntil } from "../../test/helpers/wait";
import { manualClock } from "../domain/clock";

announcePostgresSkip();

describe.each(testDatabases())("job runner against the simulator on %s", (dialect) => {
  let h: JobHarness;
  afterEach(() => h?.close());

  it("activates 1,000 users with injected throttling and faults: exactly one final state and one result each", async () => {
    h = await startJobHarness({ dialect, users: 1000 });
    h.sim.faults.rates = { serverBusy: 0.03, http503: 0.03 };
    h.sim.faults.backOffMs = 30;
    h.sim.faults.byMailbox["adele.vance@contoso.com"] = "http500"; // transient every time: ends in error after the retries
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    expect(job.state).toBe("queued");
    const pending = await userRows(h, { state: "pending" });
    expect(pending).toHaveLength(1000);
    h.runner();
    const done = await h.waitFor(job.id, ["done", "failed"]);
    expect(done.state).toBe("done");
    expect(done.done).toBe(1000);
    expect(done.ok + done.failed).toBe(1000);

    const states = await userRows(h);
    expect(states.every((u) => (u.state === "active" || u.state === "error") && u.stateBefore === null)).toBe(
      true,
    );
    const history = await checkHistory(h, { jobId: job.id });
    expect(history).toHaveLength(1000);
    expect(new Set(history.map((r) => r.userId)).size).toBe(1000);
    // Throttling and 503s were retried: (almost) everybody passed; the always-failing mailbox is in error.
    expect(JSON.parse(done.failuresByCode)).toMatchObject({ http500: 1 });
    expect(h.sim.counters.byOutcome.ErrorServerBusy ?? 0).toBeGreaterThan(0);
    expect(h.sim.counters.peakConcurrencyByAccount["svc-sync@contoso.com"]).toBeLessThanOrEqual(10);
  }, 90_000); // 1,000 simulated users: ~15 s alone, slower beside the other job tests on 2 cores

  it("does not retry permanent errors and stops at once on a service-account 401, restoring pending users", async () => {
    h = await startJobHarness({ dialect, users: 200 });
    h.sim.faults.byMailbox["blocked.user@contoso.com"] = "unauthorized";
    // A permanent error: impersonation denied for a user outside the scope is answered once, not retried.
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    h.sim.faults.rates = {};
    h.sim.faults.byAccount["svc-sync@contoso.com"] = "unauthorized";
    h.runner();
    const failed = await h.waitFor(job.id, ["done", "failed"]);
    expect(failed.state).toBe("failed");
    expect(failed.reason).toMatch(/password/);
    // Nobody was marked as failing because of the service account: all are back to not-activated.
    const states = await userRows(h);
    expect(states.every((u) => u.state === "not-activated")).toBe(true);
    expect(h.sim.counters.requests).toBeLessThanOrEqual(20);
  });

  it("claims a job again when the store fails while its mailbox access is read; fails it when the access can't be opened", async () => {
    h = await startJobHarness({ dialect, users: 30 });
    const port = soapCheckPort(h.sim.ewsUrl, {
      logon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
    });
    let reads = 0;
    let broken: Error = new Error("Connection terminated unexpectedly");
    const checks = {
      ...port,
      checkerFor: async (profileId: string) => {
        reads += 1;
        if (reads <= 2) throw broken; // the store failing twice (a killed connection), then answering
        return port.checkerFor(profileId);
      },
    };
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    const first = h.runner({ checks });
    const done = await h.waitFor(job.id, ["done", "failed"]);
    expect(done.state).toBe("done");
    expect(done.ok).toBe(30);
    expect(reads).toBe(3);
    await first.close();

    // A configuration the admin must fix (here: sealed with a key this server lacks) fails the job at once.
    reads = 0;
    broken = new AppError(
      409,
      "access_unreadable",
      "The profile's stored mailbox access can't be opened (sealed with an unknown key).",
    );
    const recheck = await h.jobs.start(SYSTEM, h.profileId, { kind: "recheck-profile" });
    h.runner({ checks: { ...port, checkerFor: () => Promise.reject(broken) } });
    const failed = await h.waitFor(recheck.id, ["done", "failed"]);
    expect(failed.state).toBe("failed");
    expect(failed.reason).toMatch(/unknown key/);
  });

  it("hands a job back at once when the store fails under its execution, instead of waiting out the lease", async () => {
    h = await startJobHarness({ dialect, users: 200 });
    const access = storeAccessOf(h);
    const jobs = access.repos.jobs;
    let failures = 0;
    // The store fails once while the execution looks for more items (a killed connection).
    const claimItems: typeof jobs.claimItems = async (...args) => {
      const batch = await jobs.claimItems(...args);
      if (failures === 0 && batch.length > 0) {
        failures += 1;
        throw new Error("Connection terminated unexpectedly");
      }
      return batch;
    };
    const failing = {
      ...access,
      repos: new Proxy(access.repos, {
        get: (target, name) =>
          name === "jobs"
            ? new Proxy(jobs, { get: (j, m) => (m === "claimItems" ? claimItems : Reflect.get(j, m, j)) })
            : Reflect.get(target, name, target),
      }),
    };
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    // A lease far longer than the test: only a hand-back lets the job be claimed again in time.
    const runner = h.runner({ store: failing, leaseMs: 600_000 });
    const done = await h.waitFor(job.id, ["done", "failed"], 20_000);
    expect(failures).toBe(1);
    expect(done.state).toBe("done");
    expect(done.ok + done.failed).toBe(200);
    expect(runner.jobsClaimed).toBe(2);
  });

  it("pauses, resumes and cancels; a cancelled activation returns pending users to their earlier state", async () => {
    h = await startJobHarness({ dialect, users: 600, latencyMs: 5 });
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    // No polling on a timer: the runner claims when a job is created or resumed here, and when the test polls.
    const runner = h.runner({ pollMs: 3_600_000 });
    /** The execution stopped (its in-flight checks ended); a poll of the runner starts nothing new. */
    const stoppedForGood = async () => {
      await waitUntil(() => runner.activeJobIds().length === 0, { what: "the execution to stop" });
      const atStop = h.sim.counters.requests;
      await runner.poll();
      expect(runner.activeJobIds()).toEqual([]);
      expect(h.sim.counters.requests).toBe(atStop); // nothing new starts
    };
    await itemsDone(h, 100);
    await h.jobs.pause(SYSTEM, job.id);
    await stoppedForGood(); // in-flight checks finish after a pause; nothing new starts while paused
    const paused = await h.jobs.get(SYSTEM, job.id);
    expect(paused.state).toBe("paused");
    expect(paused.progress.done).toBeLessThan(600);

    await h.jobs.resume(SYSTEM, job.id);
    await itemsDone(h, 300);
    const cancelled = await h.jobs.cancel(SYSTEM, job.id);
    expect(cancelled.state).toBe("cancelled");
    await stoppedForGood();
    const users = await userRows(h);
    const counts = countBy(users.map((u) => u.state));
    expect(counts.pending ?? 0).toBe(0);
    expect((counts.active ?? 0) + (counts["not-activated"] ?? 0) + (counts.error ?? 0)).toBe(600);
    expect(counts["not-activated"]).toBeGreaterThan(0);
    const history = await checkHistory(h, { jobId: job.id });
    expect(new Set(history.map((r) => r.userId)).size).toBe(history.length); // never two results for one user
    expect(history.length).toBe(counts.active + (counts.error ?? 0));
  });

  it("answers 409 job_running while a job is open", async () => {
    h = await startJobHarness({ dialect, users: 5 });
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "recheck-profile" });
    await expect(h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" })).rejects.toMatchObject({
      id: "job_running",
      details: { jobId: job.id },
    });
  });
});

/** Resolves once the job has `n` items done (the runner works on its own timers). */
const itemsDone = (h: JobHarness, n: number) =>
  waitUntil(async () => (await countJobItems(h, { state: "done" })) >= n, { what: `${n} items done` });

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

describe.each(testDatabases())("a job whose runner stopped, on %s", (dialect) => {
  let h: JobHarness;
  afterEach(() => h?.close());

  it("says from when it resumes while the dead runner's lease runs out, then resumes where it stopped", async () => {
    // The test's clock starts 3.1 s ago: the dead runner claimed then, and its lease ran out 0.1 s ago for
    // the runner started below (on the real clock).
    const clock = manualClock(Date.now() - 3_100);
    h = await startJobHarness({ dialect, users: 5, clock });
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    // A runner that claims the job and dies at once: it never renews its 3 s lease.
    const claimed = await claimJobAs(h, "dead-host:4242:deadbeef", 3_000, clock);
    expect(claimed?.id).toBe(job.id);
    expect((await h.jobs.get(SYSTEM, job.id)).resumesBy).toBeNull(); // just claimed: alive as far as anyone can tell
    clock.advance(2_600); // more than a renewal period and a half plus slack: the dead runner's lease looks stale
    const stalled = await h.jobs.get(SYSTEM, job.id);
    expect(stalled).toMatchObject({ state: "running", resumesBy: claimed!.leaseUntil });
    h.runner();
    const done = await h.waitFor(job.id, ["done", "failed"], 10_000);
    expect(done).toMatchObject({ state: "done", done: 5, ok: 5 });
    expect((await h.jobs.get(SYSTEM, job.id)).resumesBy).toBeNull();
  });
});
