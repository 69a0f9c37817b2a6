import type { Job } from "../../contract/jobs";
import { leaseRenewEveryMs, type JobRow } from "../store/job-repo";

/**
 * A runner renews its lease every third of the lease's length (leaseRenewEveryMs): a lease not renewed
 * for half again that long (and a second of slack for a slow store) belongs to a runner that stopped.
 */
function resumesBy(row: JobRow, now: number): string | null {
  if (row.state !== "running" || !row.leaseOwner || !row.leaseUntil || !row.leaseRenewedAt) return null;
  const renewed = Date.parse(row.leaseRenewedAt);
  const leaseMs = Date.parse(row.leaseUntil) - renewed;
  return now - renewed > leaseRenewEveryMs(leaseMs) * 1.5 + 1_000 ? row.leaseUntil : null;
}

/** The fields a job response carries, and nothing else (of the lease, only when the job will resume). */
export function presentJob(row: JobRow, now = Date.now()): Job {
  return {
    id: row.id,
    profileId: row.profileId,
    kind: row.kind,
    state: row.state,
    progress: {
      total: row.total,
      done: row.done,
      ok: row.ok,
      failed: row.failed,
      failuresByCode: JSON.parse(row.failuresByCode) as Record<string, number>,
      throttled: row.throttled,
      waitingOnExchangeSince: row.state === "running" ? row.throttledSince : null,
    },
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    updatedAt: row.updatedAt,
    resumesBy: resumesBy(row, now),
  };
}
