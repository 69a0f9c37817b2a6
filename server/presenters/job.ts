import type { Job, JobKind, JobState } from "../../contract/jobs";
import type { JobRow } from "../jobs/job-repo";

/** The fields a job response carries, and nothing else (no lease internals). */
export function presentJob(row: JobRow): Job {
  return {
    id: row.id,
    profileId: row.profileId,
    kind: row.kind as JobKind,
    state: row.state as JobState,
    progress: {
      total: row.total,
      done: row.done,
      ok: row.ok,
      failed: row.failed,
      failuresByCode: JSON.parse(row.failuresByCode) as Record<string, number>,
    },
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    updatedAt: row.updatedAt,
  };
}
