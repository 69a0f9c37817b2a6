import { describe, expect, it } from "vitest";
import type { JobRow } from "../store/job-repo";
import { presentJob } from "./job";

const T0 = Date.parse("2026-11-27T10:00:00.000Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();

/** A running job whose runner took a 30 s lease at T0 (renewed every 10 s while it lives). */
const row = (overrides: Partial<JobRow> = {}): JobRow => ({
  id: "j1",
  profileId: "p1",
  kind: "activate-profile",
  state: "running",
  total: 10,
  done: 3,
  ok: 3,
  failed: 0,
  failuresByCode: "{}",
  reason: null,
  params: "{}",
  createdBy: "admin@example.com",
  createdAt: iso(-60_000),
  startedAt: iso(-60_000),
  finishedAt: null,
  updatedAt: iso(0),
  leaseOwner: "host:1:abc",
  leaseUntil: iso(30_000),
  leaseRenewedAt: iso(0),
  throttled: 0,
  throttledSince: null,
  ...overrides,
});

describe("presentJob resumesBy", () => {
  it("is null while the runner renews its lease on time (within a period and a half, plus a second)", () => {
    expect(presentJob(row(), T0 + 15_999).resumesBy).toBeNull();
  });

  it("is the lease's end once the runner missed its renewals", () => {
    expect(presentJob(row(), T0 + 16_001).resumesBy).toBe(iso(30_000));
    expect(presentJob(row(), T0 + 45_000).resumesBy).toBe(iso(30_000)); // no runner took it yet
  });

  it("is null for a job that holds no lease or does not run, and never shows the lease itself", () => {
    expect(
      presentJob(row({ leaseOwner: null, leaseUntil: null, leaseRenewedAt: null }), T0 + 60_000).resumesBy,
    ).toBeNull();
    expect(presentJob(row({ state: "paused" }), T0 + 60_000).resumesBy).toBeNull();
    expect(presentJob(row({ leaseRenewedAt: null }), T0 + 60_000).resumesBy).toBeNull(); // claimed before the column existed
    expect(Object.keys(presentJob(row(), T0))).not.toContain("leaseOwner");
  });
});

describe("presentJob throttling", () => {
  it("shows the throttled count, and since when the job waits on Exchange only while it runs", () => {
    const since = iso(-5_000);
    expect(presentJob(row({ throttled: 12, throttledSince: since }), T0).progress).toMatchObject({
      throttled: 12,
      waitingOnExchangeSince: since,
    });
    expect(
      presentJob(row({ state: "cancelled", throttled: 12, throttledSince: since }), T0).progress,
    ).toMatchObject({ throttled: 12, waitingOnExchangeSince: null });
  });
});
