import type { UserState } from "../../contract/common";
import type { Selectable } from "kysely";
import type { Clock } from "../../server/domain/clock";
import type { Principal } from "../../server/auth/principal";
import type { JobKind } from "../../contract/jobs";
import { JobService } from "../../server/services/jobs";
import { ProfileService } from "../../server/services/profiles";
import {
  buildProfile as buildProfileOn,
  buildUsers as buildUsersOn,
} from "../../server/jobs/testing/factories";
import { JobRepository, type JobRow } from "../../server/store/job-repo";
import type { JobItemTable, JobTable } from "../../server/store/schema";
import { repositoriesOn, storeAccess } from "../../server/store/unit-of-work";
import { dbOf, type StoreHolder } from "./store";

/**
 * Inserts a profile for the job runner's tests (server/jobs/testing/factories.ts); answers its id.
 * @example const profileId = await buildProfile(h, { maxConcurrentConnections: 4 });
 */
export function buildProfile(
  holder: StoreHolder,
  overrides: { name?: string; maxConcurrentConnections?: number } = {},
): Promise<string> {
  return buildProfileOn(dbOf(holder), overrides);
}

/** Inserts users with these addresses in one state; answers their ids in order. */
export function buildUsers(
  holder: StoreHolder,
  profileId: string,
  addresses: string[],
  state: UserState = "not-activated",
): Promise<string[]> {
  return buildUsersOn(dbOf(holder), profileId, addresses, state);
}

/** A job's row as stored; throws when there is none. */
export async function jobRow(holder: StoreHolder, jobId: string): Promise<Selectable<JobTable>> {
  return dbOf(holder).selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
}

/** A job's items (or every job's, filtered by state), in their order. */
export async function jobItems(
  holder: StoreHolder,
  filter: { jobId?: string; state?: JobItemTable["state"] },
): Promise<Selectable<JobItemTable>[]> {
  let q = dbOf(holder).selectFrom("jobItems").selectAll();
  if (filter.jobId !== undefined) q = q.where("jobId", "=", filter.jobId);
  if (filter.state !== undefined) q = q.where("state", "=", filter.state);
  return q.orderBy("jobId").orderBy("seq").execute();
}

/**
 * Leases one item of a job to `owner` until `leaseUntil`, as a runner's claim would have.
 * @example await leaseJobItem(h, job.id, userId, "a claim that was lost", inOneSecond);
 */
export async function leaseJobItem(
  holder: StoreHolder,
  jobId: string,
  userId: string,
  owner: string,
  leaseUntil: string,
): Promise<void> {
  await dbOf(holder)
    .updateTable("jobItems")
    .set({ state: "leased", leaseOwner: owner, leaseUntil })
    .where("jobId", "=", jobId)
    .where("userId", "=", userId)
    .execute();
}

/**
 * Claims the next job as a runner named `owner` would (e.g. one that then dies), on `clock`.
 * @example const claimed = await claimJobAs(h, "dead-host:4242:deadbeef", 3_000, clock);
 */
export function claimJobAs(
  holder: StoreHolder,
  owner: string,
  leaseMs: number,
  clock?: Clock,
): Promise<JobRow | undefined> {
  return new JobRepository(dbOf(holder), clock).claimJob(owner, leaseMs, []);
}

/**
 * Creates a job that stays open but is never run: paused in the transaction that creates it.
 * @example const held = await createPausedJob(f.server.ctx, SYSTEM, profileId, "recheck-profile");
 */
export async function createPausedJob(
  ctx: StoreHolder & { services: { jobs: JobService }; clock?: Clock },
  principal: Principal,
  profileId: string,
  kind: JobKind,
): Promise<JobRow> {
  return dbOf(ctx)
    .transaction()
    .execute(async (trx) => {
      const row = await ctx.services.jobs.create(
        repositoriesOn(trx, { clock: ctx.clock }),
        principal,
        profileId,
        kind,
      );
      await trx.updateTable("jobs").set({ state: "paused" }).where("id", "=", row.id).execute();
      return row;
    });
}

/** How many items (of a job, or of every job) are in this state. */
export async function countJobItems(
  holder: StoreHolder,
  filter: { jobId?: string; state?: JobItemTable["state"] },
): Promise<number> {
  let q = dbOf(holder)
    .selectFrom("jobItems")
    .select((eb) => eb.fn.countAll<number>().as("n"));
  if (filter.jobId !== undefined) q = q.where("jobId", "=", filter.jobId);
  if (filter.state !== undefined) q = q.where("state", "=", filter.state);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/**
 * A job service over a store of the test's own (no server around it), on `clock` when given.
 * @example const job = await jobServiceOn(store).start(SYSTEM, profileId, { kind: "activate-profile" });
 */
export function jobServiceOn(holder: StoreHolder, clock?: Clock): JobService {
  const store = storeAccess(dbOf(holder), { clock });
  return new JobService(store, new ProfileService(store), clock);
}

/** A job as its repository reads it (JobRow), or undefined. */
export function findJob(holder: StoreHolder, jobId: string): Promise<JobRow | undefined> {
  return new JobRepository(dbOf(holder)).find(jobId);
}
