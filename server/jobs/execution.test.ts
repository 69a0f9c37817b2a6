import { afterEach, describe, expect, it } from "vitest";
import { checkHistory } from "../../test/factories/checks";
import { jobItems, leaseJobItem } from "../../test/factories/jobs";
import { announcePostgresSkip, testDatabases } from "../../test/helpers/server";
import type { CheckResult } from "../domain/access-outcome";
import { AdaptiveLimit } from "./adaptive-limit";
import { retryDelayMs } from "./execution";
import { startJobHarness, SYSTEM, type JobHarness } from "./testing/harness";
import { applyResultForTests } from "./testing/soap-check-port";
import type { CheckPort } from "./types";
import { realDelay } from "../../test/helpers/real-delay";

announcePostgresSkip();

const passed: CheckResult = { ok: true, ms: 1, mailboxKind: "user" };
const throttled = (backOffMs?: number): CheckResult => ({
  ok: false,
  ms: 1,
  error: {
    code: backOffMs === undefined ? "http503" : "TooManyRequests",
    message: "Try later.",
    remediation: "",
    transient: true,
    ...(backOffMs === undefined ? {} : { backOffMs }),
  },
});

/** A CheckPort whose checker answers `answer(address, n)` for the n-th call (from 1) on each address. */
function fakePort(
  answer: (address: string, n: number) => CheckResult,
): CheckPort & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    calls,
    checkerFor: () =>
      Promise.resolve((address: string) => {
        const n = (calls.get(address) ?? 0) + 1;
        calls.set(address, n);
        return Promise.resolve(answer(address, n));
      }),
    applyResult: applyResultForTests,
  };
}

/** Runs `body` with Date.now() answering `clock`; the real clock is back when it returns. */
function withClock<T>(clock: () => number, body: () => T): T {
  const real = Date.now;
  Date.now = clock;
  try {
    return body();
  } finally {
    Date.now = real;
  }
}

/**
 * The profile's gate on a loaded machine: in the first acquire after a back-off was announced, the clock
 * reaches the end of the back-off between the gate's first reading and the next ones.
 */
class ClockCrossingGate extends AdaptiveLimit {
  private end: number | undefined;
  crossings = 0;

  override onBusy(backOffMs?: number): void {
    const t = Date.now();
    withClock(
      () => t,
      () => {
        super.onBusy(backOffMs);
        this.end = t + this.backOffRemaining();
      },
    );
  }

  override acquire(signal?: AbortSignal): Promise<void> {
    const end = this.end;
    if (end === undefined) return super.acquire(signal);
    this.end = undefined;
    this.crossings += 1;
    const real = Date.now;
    let readings = 0;
    return withClock(
      () => (readings++ === 0 ? end - 1 : Math.max(end, real())),
      () => super.acquire(signal),
    );
  }
}

/** A gate that counts the acquires still waiting. */
class CountingGate extends AdaptiveLimit {
  waiting = 0;

  override acquire(signal?: AbortSignal): Promise<void> {
    const p = super.acquire(signal);
    this.waiting += 1;
    const settled = () => {
      this.waiting -= 1;
    };
    p.then(settled, settled);
    return p;
  }
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await realDelay(10, "poll: the runner works on its own timers");
  }
}

describe.each(testDatabases())("job execution retries on %s", (dialect) => {
  let h: JobHarness;
  afterEach(() => h?.close());

  it("finishes when the back-off of a 429 ends between two clock readings of the retry's acquire", async () => {
    // The flake of test/app-only-graph.test.ts "honours 429 Retry-After": the retry stayed queued in the
    // gate with no timer and nothing in flight to wake it, and the job ran until shutdown.
    h = await startJobHarness({ dialect, users: 1 });
    const gate = new ClockCrossingGate(10);
    const port = fakePort((_address, n) => (n === 1 ? throttled(50) : passed));
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    h.runner({ checks: port, gates: new Map([[h.profileId, gate]]) });
    const done = await h.waitFor(job.id, ["done", "failed"], 5_000);
    expect(done).toMatchObject({ state: "done", done: 1, ok: 1 });
    expect(gate.crossings).toBe(1);
    expect(port.calls.get(h.addresses[0])).toBe(2);
  });

  it("leaves the slots of the profile's other callers alone when a shutdown aborts a retry waiting for the gate", async () => {
    h = await startJobHarness({ dialect, users: 1 });
    const gate = new CountingGate(10);
    await gate.acquire(); // another caller of the profile (the sync gateway) holds a slot throughout
    const port = fakePort((_address, n) => {
      if (n === 1) gate.onBusy(60_000); // ... and was told to back off, so the retry has to wait
      return throttled();
    });
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    const runner = h.runner({ checks: port, gates: new Map([[h.profileId, gate]]) });
    await until(() => port.calls.size === 1 && gate.waiting === 1);
    await runner.close();
    expect(gate.waiting).toBe(0);
    expect(gate.inFlight).toBe(1); // the other caller's slot, not released on its behalf
    const [{ state, leaseOwner }] = await jobItems(h, { jobId: job.id });
    const item = { state, leaseOwner };
    expect(item).toEqual({ state: "pending", leaseOwner: null });
  });

  it("checks an item again at once when its processing ended without a result (not after a lease that the heartbeat keeps renewing)", async () => {
    h = await startJobHarness({ dialect, users: 3 });
    // A broken access module answers nothing once; the runner's heartbeat renews every lease it holds.
    const port = fakePort((address, n) =>
      address === h.addresses[1] && n === 1 ? (undefined as unknown as CheckResult) : passed,
    );
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    h.runner({ checks: port, leaseMs: 2_000 });
    const done = await h.waitFor(job.id, ["done", "failed"], 5_000);
    expect(done).toMatchObject({ state: "done", done: 3, ok: 3 });
    expect(port.calls.get(h.addresses[1])).toBe(2);
    const history = await checkHistory(h, { jobId: job.id });
    expect(history).toHaveLength(3);
  });

  it("lets the lease of an item it leased but does not work on run out (a claim whose answer was lost), so the job finishes", async () => {
    h = await startJobHarness({ dialect, users: 60 });
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    // The job's last item is leased, then handed to the runner's name, as if the runner's claim had
    // committed but its answer never came back: nobody works on it, only its lease running out frees it.
    const last = (await jobItems(h, { jobId: job.id })).at(-1)!;
    const lease = (owner: string) =>
      leaseJobItem(h, job.id, last.userId, owner, new Date(Date.now() + 1_000).toISOString());
    await lease("a claim that was lost");
    const runner = h.runner({ checks: fakePort(() => passed), leaseMs: 1_000 });
    await lease(runner.owner);
    const done = await h.waitFor(job.id, ["done", "failed"], 10_000);
    expect(done).toMatchObject({ state: "done", done: 60, ok: 60 });
  });

  it("closes an item whose processing keeps failing unexpectedly after maxAttempts, as check_crashed", async () => {
    h = await startJobHarness({ dialect, users: 2 });
    const port = fakePort((address) =>
      address === h.addresses[0] ? (undefined as unknown as CheckResult) : passed,
    );
    const job = await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" });
    h.runner({ checks: port, maxAttempts: 3 });
    const done = await h.waitFor(job.id, ["done", "failed"], 5_000);
    expect(done).toMatchObject({ state: "done", done: 2, ok: 1, failed: 1 });
    expect(JSON.parse(done.failuresByCode)).toEqual({ check_crashed: 1 });
    expect(port.calls.get(h.addresses[0])).toBe(3);
  });
});

describe("retryDelayMs", () => {
  const options = { retryBaseMs: 500, retryMaxMs: 10_000 };
  it("follows the server's back-off when it gave one, doubled per attempt, with at most a quarter of jitter", () => {
    for (let i = 0; i < 200; i++) {
      const first = retryDelayMs(1, 50, options);
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(62.5);
      const third = retryDelayMs(3, 50, options);
      expect(third).toBeGreaterThanOrEqual(200);
      expect(third).toBeLessThanOrEqual(250);
    }
    expect(retryDelayMs(10, 5_000, options)).toBeLessThanOrEqual(12_500);
  });

  it("backs off exponentially from retryBaseMs otherwise, capped at retryMaxMs", () => {
    for (let i = 0; i < 200; i++) {
      const first = retryDelayMs(1, undefined, options);
      expect(first).toBeGreaterThanOrEqual(250);
      expect(first).toBeLessThanOrEqual(500);
      expect(retryDelayMs(2, undefined, options)).toBeGreaterThanOrEqual(500);
      expect(retryDelayMs(20, undefined, options)).toBeLessThanOrEqual(10_000);
    }
  });
});
