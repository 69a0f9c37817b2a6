import { randomUUID } from "node:crypto";
import { sql, type Selectable } from "kysely";
import type { JobKind, JobState } from "../../contract/jobs";
import { openJobStates } from "../../contract/jobs";
import { isPostgres } from "./dialect";
import { isoNow, systemClock, type Clock } from "../domain/clock";
import type { Db } from "./db-types";
import type { JobTable } from "./schema";

export type JobRow = Selectable<JobTable>;

/** One claimed item: the user to check. */
export interface ClaimedItem {
  userId: string;
  attempts: number;
}

/** Progress counts aggregated from the items. */
export interface JobProgress {
  done: number;
  ok: number;
  failed: number;
  failuresByCode: Record<string, number>;
}

const INSERT_CHUNK = 1000;

/** How often a runner renews a lease of `leaseMs` (a third of it): the execution's heartbeat, and what a reader expects of it. */
export function leaseRenewEveryMs(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 3));
}

/**
 * SQL for jobs and their items. Claiming uses `FOR UPDATE SKIP LOCKED` on PostgreSQL so several runners
 * never take the same row; SQLite has one writer (one process, serialized transactions) and needs no lock.
 */
export class JobRepository {
  /** `clock`: what leases and timestamps are written and judged by (the real clock; tests move their own). */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {}

  private nowIso(): string {
    return isoNow(this.clock);
  }

  private later(ms: number): string {
    return new Date(this.clock.now() + ms).toISOString();
  }

  private lockSkip<T extends { forUpdate(): T; skipLocked(): T }>(q: T): T {
    return isPostgres(this.db) ? q.forUpdate().skipLocked() : q;
  }

  /** Inserts a queued job and one pending item per user (in order). Call inside a transaction. */
  async create(input: {
    profileId: string;
    kind: JobKind;
    params: unknown;
    createdBy: string;
    userIds: string[];
  }): Promise<JobRow> {
    const now = this.nowIso();
    const row: JobRow = {
      id: randomUUID(),
      profileId: input.profileId,
      kind: input.kind,
      state: "queued",
      total: input.userIds.length,
      done: 0,
      ok: 0,
      failed: 0,
      failuresByCode: "{}",
      reason: null,
      params: JSON.stringify(input.params ?? {}),
      createdBy: input.createdBy,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      updatedAt: now,
      leaseOwner: null,
      leaseUntil: null,
      leaseRenewedAt: null,
      throttled: 0,
      throttledSince: null,
    };
    await this.db.insertInto("jobs").values(row).execute();
    for (let i = 0; i < input.userIds.length; i += INSERT_CHUNK) {
      const chunk = input.userIds.slice(i, i + INSERT_CHUNK);
      await this.db
        .insertInto("jobItems")
        .values(
          chunk.map((userId, j) => ({ jobId: row.id, userId, seq: i + j, state: "pending", attempts: 0 })),
        )
        .execute();
    }
    return row;
  }

  find(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** How many jobs are in each state, every profile (the metrics' `mailbox_sync_jobs`). */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("jobs")
      .select(["state", (eb) => eb.fn.countAll<string | number>().as("n")])
      .groupBy("state")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** The profile's queued, running or paused job, if any. */
  findOpen(profileId: string): Promise<JobRow | undefined> {
    return this.db
      .selectFrom("jobs")
      .selectAll()
      .where("profileId", "=", profileId)
      .where("state", "in", [...openJobStates])
      .executeTakeFirst();
  }

  /** Newest first; `profileIds` undefined = every profile. */
  list(opts: { profileIds?: string[]; limit: number }): Promise<JobRow[]> {
    let q = this.db
      .selectFrom("jobs")
      .selectAll()
      .orderBy("createdAt", "desc")
      .orderBy("id", "desc")
      .limit(opts.limit);
    if (opts.profileIds) {
      if (opts.profileIds.length === 0) return Promise.resolve([]);
      q = q.where("profileId", "in", opts.profileIds);
    }
    return q.execute();
  }

  /**
   * Takes one runnable job (queued or running, with no live lease) for `owner`, oldest first.
   * Profiles in `exclude` (already run here) are skipped.
   */
  async claimJob(owner: string, leaseMs: number, exclude: string[]): Promise<JobRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const repo = new JobRepository(trx, this.clock);
      const now = this.nowIso();
      let q = trx
        .selectFrom("jobs")
        .select("id")
        .where("state", "in", ["queued", "running"])
        .where((eb) => eb.or([eb("leaseUntil", "is", null), eb("leaseUntil", "<", now)]))
        .orderBy("createdAt")
        .limit(1);
      if (exclude.length) q = q.where("id", "not in", exclude);
      const found = await repo.lockSkip(q).executeTakeFirst();
      if (!found) return undefined;
      await trx
        .updateTable("jobs")
        .set({
          state: "running",
          leaseOwner: owner,
          leaseUntil: this.later(leaseMs),
          leaseRenewedAt: now,
          startedAt: sql<string>`coalesce(started_at, ${now})`,
          updatedAt: now,
        })
        .where("id", "=", found.id)
        .execute();
      return repo.find(found.id);
    });
  }

  /**
   * Extends the job's lease and the leases of the given items (those the execution works on). Returns the
   * job's state, or undefined when the lease was lost (another runner took the job after this one stalled).
   */
  async renewLease(
    jobId: string,
    owner: string,
    leaseMs: number,
    userIds: string[],
  ): Promise<JobState | undefined> {
    const until = this.later(leaseMs);
    const row = await this.db
      .updateTable("jobs")
      .set({ leaseUntil: until, leaseRenewedAt: this.nowIso() })
      .where("id", "=", jobId)
      .where("leaseOwner", "=", owner)
      .returning("state")
      .executeTakeFirst();
    if (!row) return undefined;
    for (let i = 0; i < userIds.length; i += 500) {
      const ids = userIds.slice(i, i + 500);
      // On PostgreSQL, items whose rows are locked (their result is being written this moment) are left
      // alone: the write closes them; waiting for it would make the heartbeat as slow as the write, and
      // two updates taking the same rows in different orders could deadlock (seen under load: renewals of
      // 1-3 s against a 1 s lease, and items claimed again while still being worked on).
      await this.db
        .updateTable("jobItems")
        .set({ leaseUntil: until })
        .where("jobId", "=", jobId)
        .where(
          "userId",
          "in",
          isPostgres(this.db)
            ? this.db
                .selectFrom("jobItems")
                .select("userId")
                .where("jobId", "=", jobId)
                .where("userId", "in", ids)
                .where("state", "=", "leased")
                .where("leaseOwner", "=", owner)
                .forUpdate()
                .skipLocked()
            : ids,
        )
        .where("state", "=", "leased")
        .where("leaseOwner", "=", owner)
        .execute();
    }
    return row.state;
  }

  /**
   * Leases up to `limit` items that are pending or whose lease expired, in order. `held`: items the
   * caller works on already (their lease may have run out while a renewal was late): never claimed again
   * by it, so no item is checked twice by one execution.
   */
  async claimItems(
    jobId: string,
    owner: string,
    limit: number,
    leaseMs: number,
    held: readonly string[] = [],
  ): Promise<ClaimedItem[]> {
    return this.db.transaction().execute(async (trx) => {
      const repo = new JobRepository(trx, this.clock);
      const now = this.nowIso();
      // Two index range reads on (job_id, state, seq) rather than one OR that scans the job's items.
      const pending = await repo
        .lockSkip(
          trx
            .selectFrom("jobItems")
            .select(["userId", "attempts"])
            .where("jobId", "=", jobId)
            .where("state", "=", "pending")
            .orderBy("seq")
            .limit(limit),
        )
        .execute();
      let expiredQuery = trx
        .selectFrom("jobItems")
        .select(["userId", "attempts"])
        .where("jobId", "=", jobId)
        .where("state", "=", "leased")
        .where("leaseUntil", "<", now)
        .orderBy("seq")
        .limit(limit - pending.length);
      if (held.length) expiredQuery = expiredQuery.where("userId", "not in", [...held]);
      const expired = pending.length < limit ? await repo.lockSkip(expiredQuery).execute() : [];
      const rows = [...pending, ...expired];
      if (rows.length === 0) return [];
      await trx
        .updateTable("jobItems")
        .set({
          state: "leased",
          leaseOwner: owner,
          leaseUntil: this.later(leaseMs),
          attempts: sql<number>`attempts + 1`,
        })
        .where("jobId", "=", jobId)
        .where(
          "userId",
          "in",
          rows.map((r) => r.userId),
        )
        .execute();
      return rows.map((r) => ({ userId: r.userId, attempts: r.attempts + 1 }));
    });
  }

  /**
   * Closes items with their results (only those still leased by `owner`, so a result is written once),
   * in as few statements as results differ (usually one); answers the users whose item is now done.
   */
  async completeItems(
    jobId: string,
    owner: string,
    items: { userId: string; ok: boolean; code: string | null }[],
  ): Promise<Set<string>> {
    const groups = new Map<string, { ok: boolean; code: string | null; userIds: string[] }>();
    for (const item of items) {
      const key = `${item.ok ? 1 : 0}\u0000${item.code ?? ""}`;
      const group = groups.get(key) ?? { ok: item.ok, code: item.code, userIds: [] };
      group.userIds.push(item.userId);
      groups.set(key, group);
    }
    const done = new Set<string>();
    for (const { ok, code, userIds } of groups.values()) {
      const rows = await this.db
        .updateTable("jobItems")
        .set({ state: "done", ok: ok ? 1 : 0, code, leaseOwner: null, leaseUntil: null })
        .where("jobId", "=", jobId)
        .where("userId", "in", userIds)
        .where("state", "=", "leased")
        .where("leaseOwner", "=", owner)
        .returning("userId")
        .execute();
      for (const r of rows) done.add(r.userId);
    }
    return done;
  }

  /** The user fields a check result is applied to, for several users. */
  async users(
    userIds: string[],
  ): Promise<Map<string, { id: string; state: string; stateBefore: string | null }>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom("users")
      .select(["id", "state", "stateBefore"])
      .where("id", "in", userIds)
      .execute();
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Gives items this runner leased but never started back to the queue (pause, stop). */
  async releaseItems(jobId: string, owner: string, userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += 500) {
      await this.db
        .updateTable("jobItems")
        .set({
          state: "pending",
          leaseOwner: null,
          leaseUntil: null,
          attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end`,
        })
        .where("jobId", "=", jobId)
        .where("userId", "in", userIds.slice(i, i + 500))
        .where("state", "=", "leased")
        .where("leaseOwner", "=", owner)
        .execute();
    }
  }

  /** Gives back every item this runner still holds on the job (after its in-flight calls settled). */
  async releaseOwned(jobId: string, owner: string): Promise<void> {
    await this.db
      .updateTable("jobItems")
      .set({ state: "pending", leaseOwner: null, leaseUntil: null })
      .where("jobId", "=", jobId)
      .where("state", "=", "leased")
      .where("leaseOwner", "=", owner)
      .execute();
  }

  /** Items not yet done (pending or leased). */
  async remaining(jobId: string): Promise<number> {
    const row = await this.db
      .selectFrom("jobItems")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("jobId", "=", jobId)
      .where("state", "in", ["pending", "leased"])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Counts from the items (the source of truth), by outcome and failure code. */
  async progress(jobId: string): Promise<JobProgress> {
    const rows = await this.db
      .selectFrom("jobItems")
      .select(["ok", "code", (eb) => eb.fn.countAll<number>().as("n")])
      .where("jobId", "=", jobId)
      .where("state", "=", "done")
      .groupBy(["ok", "code"])
      .execute();
    const p: JobProgress = { done: 0, ok: 0, failed: 0, failuresByCode: {} };
    for (const r of rows) {
      const n = Number(r.n);
      p.done += n;
      if (r.ok === 1) p.ok += n;
      else {
        p.failed += n;
        const code = r.code ?? "unknown";
        p.failuresByCode[code] = (p.failuresByCode[code] ?? 0) + n;
      }
    }
    return p;
  }

  /**
   * Copies the items' counts onto the job row (what the API and the event stream read); with `throttle`,
   * adds the busy answers counted since the last write and sets since when calls are being refused.
   */
  async writeProgress(jobId: string, throttle?: { add: number; since: string | null }): Promise<void> {
    const p = await this.progress(jobId);
    await this.db
      .updateTable("jobs")
      .set({
        done: p.done,
        ok: p.ok,
        failed: p.failed,
        failuresByCode: JSON.stringify(p.failuresByCode),
        updatedAt: this.nowIso(),
        ...(throttle
          ? { throttled: sql<number>`throttled + ${throttle.add}`, throttledSince: throttle.since }
          : {}),
      })
      .where("id", "=", jobId)
      .execute();
  }

  /** Sets the state when the job is in one of `from`; returns whether it changed. */
  async transition(
    jobId: string,
    from: JobState[],
    to: JobState,
    extra: { reason?: string | null; clearLease?: boolean } = {},
  ): Promise<boolean> {
    const now = this.nowIso();
    const final = to === "done" || to === "failed" || to === "cancelled";
    const res = await this.db
      .updateTable("jobs")
      .set({
        state: to,
        updatedAt: now,
        ...(final ? { finishedAt: now } : {}),
        ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
        ...(extra.clearLease || final ? { leaseOwner: null, leaseUntil: null } : {}),
      })
      .where("id", "=", jobId)
      .where("state", "in", from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Closes every item without a result, so late results from in-flight calls are dropped. */
  async closeOpenItems(jobId: string): Promise<void> {
    await this.db
      .updateTable("jobItems")
      .set({ state: "cancelled", leaseOwner: null, leaseUntil: null })
      .where("jobId", "=", jobId)
      .where("state", "in", ["pending", "leased"])
      .execute();
  }

  /** Drops this runner's lease on the job (pause, shutdown) so another runner may take it at once. */
  async dropLease(jobId: string, owner: string): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({ leaseOwner: null, leaseUntil: null })
      .where("id", "=", jobId)
      .where("leaseOwner", "=", owner)
      .execute();
  }

  /** The profile's connection ceiling (maxConcurrentConnections), or undefined when it was deleted. */
  async profileConcurrency(profileId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("profiles")
      .select("maxConcurrentConnections")
      .where("id", "=", profileId)
      .executeTakeFirst();
    return row?.maxConcurrentConnections;
  }

  /** Addresses of the given users (deleted users are missing from the map). */
  async addresses(userIds: string[]): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (let i = 0; i < userIds.length; i += 500) {
      const rows = await this.db
        .selectFrom("users")
        .select(["id", "address"])
        .where("id", "in", userIds.slice(i, i + 500))
        .execute();
      for (const r of rows) map.set(r.id, r.address);
    }
    return map;
  }
}
