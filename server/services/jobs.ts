import type { CreateJobBody, Job, JobKind, ListJobsQuery } from "../../contract/jobs";
import type { Principal } from "../auth/principal";
import { conflict, jobRunning, notFound } from "../errors";
import type { JobRepository, JobRow } from "../store/job-repo";
import { jobKindDefinitions } from "../jobs/kinds";
import { jobSignals } from "../jobs/signals";
import { presentJob } from "../presenters/job";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import { systemClock, type Clock } from "../domain/clock";
import { recordAudit } from "./audit";
import type { ProfileService } from "./profiles";

/**
 * Jobs: start (one open job per profile), list, read, pause, resume, cancel. The runner does the work;
 * this service only changes rows, so any instance can steer a job another instance runs.
 */
export class JobService {
  constructor(
    /** Its job repositories lease and judge by the same clock as `clock`. */
    private readonly store: StoreAccess,
    private readonly profiles: ProfileService,
    /** What jobs are presented by (when a stopped runner's lease looks stale). */
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Starts a job for the profile: 409 `job_running` (with the open job's id) when one is open.
   * @example await jobs.start(principal, profileId, { kind: "activate-profile" });
   */
  async start(principal: Principal, profileId: string, body: CreateJobBody): Promise<Job> {
    const row = await this.store.transaction(async (tx) => {
      await this.profiles.authorizeIn(tx, principal, profileId);
      return this.create(tx, principal, profileId, body.kind, body.userIds);
    });
    jobSignals.runnable();
    return presentJob(row, this.clock.now());
  }

  /** Creates a job inside the transaction `tx` (also used by the monitor with the system principal). */
  async create(
    tx: UnitOfWork,
    principal: Principal,
    profileId: string,
    kind: JobKind,
    userIds?: string[],
  ): Promise<JobRow> {
    const repo = tx.jobs;
    const open = await repo.findOpen(profileId);
    if (open) throw jobRunning(open.id);
    const def = jobKindDefinitions[kind];
    const users = await def.selectUsers(tx, profileId, userIds);
    const row = await repo.create({
      profileId,
      kind,
      params: userIds ? { userCount: userIds.length } : {},
      createdBy: principal.name,
      userIds: users,
    });
    await def.onCreate?.(tx, row.id);
    await recordAudit(tx, {
      actor: principal,
      action: "job.start",
      profileId,
      target: row.id,
      after: { kind, total: users.length },
    });
    return row;
  }

  async list(principal: Principal, query: ListJobsQuery): Promise<Job[]> {
    let ids = await this.profiles.visibleIds(principal);
    if (query.profileId) {
      await this.profiles.authorize(principal, query.profileId);
      ids = [query.profileId];
    }
    const rows = await this.store.repos.jobs.list({ profileIds: ids, limit: query.limit });
    return rows.map((row) => presentJob(row, this.clock.now()));
  }

  async get(principal: Principal, id: string): Promise<Job> {
    return presentJob(await this.authorize(undefined, principal, id), this.clock.now());
  }

  /** Loads a job the principal may see, inside `tx` when given. */
  private async authorize(tx: UnitOfWork | undefined, principal: Principal, id: string): Promise<JobRow> {
    const row = await (tx ?? this.store.repos).jobs.find(id);
    if (!row) throw notFound("Job not found.");
    try {
      await (tx
        ? this.profiles.authorizeIn(tx, principal, row.profileId)
        : this.profiles.authorize(principal, row.profileId));
    } catch {
      throw notFound("Job not found.");
    }
    return row;
  }

  /** Pauses a queued or running job: in-flight checks finish, nothing new starts. */
  pause(principal: Principal, id: string): Promise<Job> {
    return this.change(principal, id, "job.pause", async (repo, row) => {
      if (!(await repo.transition(row.id, ["queued", "running"], "paused"))) {
        throw conflict(`A ${row.state} job can't be paused.`, { state: row.state });
      }
    });
  }

  /** Resumes a paused job where it stopped. */
  resume(principal: Principal, id: string): Promise<Job> {
    return this.change(principal, id, "job.resume", async (repo, row) => {
      if (!(await repo.transition(row.id, ["paused"], "running", { clearLease: true }))) {
        throw conflict(`A ${row.state} job can't be resumed.`, { state: row.state });
      }
    });
  }

  /** Cancels an open job; an activation's pending users return to their earlier state. */
  cancel(principal: Principal, id: string): Promise<Job> {
    return this.change(principal, id, "job.cancel", async (repo, row, tx) => {
      if (
        !(await repo.transition(row.id, ["queued", "running", "paused"], "cancelled", {
          reason: `Cancelled by ${principal.name}.`,
        }))
      ) {
        throw conflict(`A ${row.state} job can't be cancelled.`, { state: row.state });
      }
      // Items before users: the same lock order as a runner writing a result (item, then user).
      await repo.closeOpenItems(row.id);
      await jobKindDefinitions[row.kind].onAbort?.(tx, row.id);
      await repo.writeProgress(row.id);
    });
  }

  private async change(
    principal: Principal,
    id: string,
    action: string,
    apply: (repo: JobRepository, row: JobRow, tx: UnitOfWork) => Promise<void>,
  ): Promise<Job> {
    const job = await this.store.transaction(async (tx) => {
      const row = await this.authorize(tx, principal, id);
      await apply(tx.jobs, row, tx);
      await recordAudit(tx, {
        actor: principal,
        action,
        profileId: row.profileId,
        target: row.id,
        before: { state: row.state },
      });
      return presentJob(await this.authorize(tx, principal, id), this.clock.now());
    });
    jobSignals.changed(job.id);
    if (job.state === "running") jobSignals.runnable();
    return job;
  }
}
