import type { Job, JobKind, JobState } from "../../contract/jobs";

/** Words for job kinds. */
export const JOB_KIND_LABEL: Record<JobKind, string> = {
  "activate-profile": "Activate sync for all users",
  "recheck-profile": "Re-check all users",
  "recheck-users": "Check selected users",
  "migrate-dry-run": "Move to Graph: dry run",
  "migrate-recheck": "Move to Graph: recheck after apply",
};

/** Words and badge colors for job states. */
export const JOB_STATE_INFO: Record<
  JobState,
  { label: string; color: "brand" | "success" | "danger" | "warning" | "informative" | "subtle" }
> = {
  queued: { label: "Queued", color: "informative" },
  running: { label: "Running", color: "brand" },
  paused: { label: "Paused", color: "warning" },
  cancelled: { label: "Cancelled", color: "subtle" },
  done: { label: "Done", color: "success" },
  failed: { label: "Failed", color: "danger" },
};

/** Whole percent done (0 when there is nothing to do). */
export function percentDone(job: Pick<Job, "progress">): number {
  const { done, total } = job.progress;
  return total > 0 ? Math.floor((done / total) * 100) : job.progress.done > 0 ? 100 : 0;
}

/** Failures by error code, most frequent first. */
export function failuresByCode(job: Pick<Job, "progress">): Array<[code: string, count: number]> {
  return Object.entries(job.progress.failuresByCode).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
