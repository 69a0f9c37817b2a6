import { z } from "zod";
import { Id } from "./common";

/** Kinds of durable bulk work (see DESIGN.md, "Job"). */
export const jobKinds = [
  "activate-profile",
  "recheck-profile",
  "recheck-users",
  "migrate-dry-run",
  "migrate-recheck",
] as const;
export const JobKind = z.enum(jobKinds);
export type JobKind = z.infer<typeof JobKind>;

/** Kinds an admin starts with POST /profiles/:id/jobs; the migrate-* kinds are started by a Move to Graph. */
export const startableJobKinds = ["activate-profile", "recheck-profile", "recheck-users"] as const;

export const jobStates = ["queued", "running", "paused", "cancelled", "done", "failed"] as const;
export const JobState = z.enum(jobStates);
export type JobState = z.infer<typeof JobState>;

/** States in which a job still holds its profile (a new job gets 409 job_running). */
export const openJobStates: readonly JobState[] = ["queued", "running", "paused"];

export const Job = z.object({
  id: Id,
  profileId: Id,
  kind: JobKind,
  state: JobState,
  progress: z.object({
    total: z.number().int(),
    done: z.number().int(),
    ok: z.number().int(),
    failed: z.number().int(),
    /** Failed items by error code, e.g. `{"ErrorImpersonateUserDenied": 3}`. */
    failuresByCode: z.record(z.string(), z.number().int()),
    /**
     * Calls Exchange refused as busy (EWS ErrorServerBusy, Graph 429, a 503 with Retry-After). Throttling
     * is never an attempt: the user waits out the back-off and goes again.
     */
    throttled: z.number().int(),
    /** Since when every call of the job has been refused as busy (none passed since); null while calls pass. */
    waitingOnExchangeSince: z.string().nullable(),
  }),
  /** Why the job failed or was cancelled (one sentence), else null. */
  reason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
  /**
   * Set while a running job's runner has stopped renewing its lease (its server was killed or crashed):
   * from when another runner, or the same server once restarted, may take the job over. Null otherwise.
   */
  resumesBy: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

export const CreateJobBody = z
  .strictObject({
    kind: z.enum(startableJobKinds),
    userIds: z.array(Id).min(1).max(10_000).optional(),
  })
  .refine((v) => v.kind !== "recheck-users" || v.userIds !== undefined, {
    message: "recheck-users needs userIds",
    path: ["userIds"],
  })
  .refine((v) => v.kind === "recheck-users" || v.userIds === undefined, {
    message: "userIds is only for recheck-users",
    path: ["userIds"],
  });
export type CreateJobBody = z.infer<typeof CreateJobBody>;

export const ListJobsQuery = z.strictObject({
  profileId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListJobsQuery = z.infer<typeof ListJobsQuery>;
