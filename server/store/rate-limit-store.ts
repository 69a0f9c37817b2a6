import { sql } from "kysely";
import type { ClientRateLimitInfo, Options, Store } from "express-rate-limit";
import { isoNow, systemClock, type Clock } from "../domain/clock";
import type { Logger } from "../logger";
import type { Db } from "./db-types";

/** Expired rows are deleted about once every this many increments. */
const SWEEP_EVERY = 200;

/**
 * Adds `hits` to a limiter's row in one atomic upsert (SQLite and PostgreSQL) and answers the row's
 * total. A window that has ended starts again with these hits and a new end.
 */
async function addHits(
  db: Db,
  key: string,
  hits: number,
  windowMs: number,
  clock: Clock,
): Promise<{ hits: number; resetAt: string }> {
  const now = isoNow(clock);
  const resetAt = new Date(clock.now() + windowMs).toISOString();
  const fresh = Math.max(hits, 0);
  const row = await db
    .insertInto("rateLimits")
    .values({ key, hits: fresh, resetAt })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        hits: sql<number>`case when rate_limits.reset_at <= ${now} then ${fresh} else rate_limits.hits + ${hits} end`,
        resetAt: sql<string>`case when rate_limits.reset_at <= ${now} then ${resetAt} else rate_limits.reset_at end`,
      }),
    )
    .returning(["hits", "resetAt"])
    .executeTakeFirstOrThrow();
  return { hits: Number(row.hits), resetAt: row.resetAt };
}

/** Deletes every limiter's rows whose window has ended. */
async function sweepExpired(db: Db, clock: Clock): Promise<void> {
  await db.deleteFrom("rateLimits").where("resetAt", "<=", isoNow(clock)).execute();
}

/**
 * An express-rate-limit store on the `rate_limits` table, so every instance on one database counts the
 * same hits (the memory store counts per process: N instances would allow N × the limit). One atomic
 * upsert per hit on both SQLite and PostgreSQL: a window that has ended starts again at 1.
 * @example rateLimit({ windowMs, limit, store: new DatabaseRateLimitStore(ctx.store.db, "login") })
 */
export class DatabaseRateLimitStore implements Store {
  /** Counts are shared with other processes. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private hitsSinceSweep = 0;

  constructor(
    private readonly db: Db,
    /** Names the limiter, so two limiters never share a client's count. */
    readonly prefix: string,
    /** When windows end (tests pass their own to move time instead of waiting for it). */
    private readonly clock: Clock = systemClock,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db
      .selectFrom("rateLimits")
      .select(["hits", "resetAt"])
      .where("key", "=", this.keyOf(key))
      .executeTakeFirst();
    if (!row || row.resetAt <= isoNow(this.clock)) return undefined;
    return { totalHits: row.hits, resetTime: new Date(row.resetAt) };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const row = await addHits(this.db, this.keyOf(key), 1, this.windowMs, this.clock);
    if (++this.hitsSinceSweep >= SWEEP_EVERY) {
      this.hitsSinceSweep = 0;
      await sweepExpired(this.db, this.clock);
    }
    return { totalHits: row.hits, resetTime: new Date(row.resetAt) };
  }

  async decrement(key: string): Promise<void> {
    await this.db
      .updateTable("rateLimits")
      .set({ hits: sql<number>`hits - 1` })
      .where("key", "=", this.keyOf(key))
      .where("hits", ">", 0)
      .execute();
  }

  async resetKey(key: string): Promise<void> {
    await this.db.deleteFrom("rateLimits").where("key", "=", this.keyOf(key)).execute();
  }

  private keyOf(key: string): string {
    return `${this.prefix}:${key}`;
  }
}

/** A client key's count in a {@link BatchedRateLimitStore}. */
interface BatchedKey {
  /** Hits counted here and not yet added to the row (below 0 after decrements). */
  pending: number;
  /** The row's total at the last reconcile: every instance's hits, this one's included. */
  shared: number;
  /** When the window ends (ms): the row's after a reconcile, this process's guess before one. */
  resetAt: number;
  /** When the last reconcile started (ms); 0 before the first. */
  lastSync: number;
  /** Counts local window restarts, so a reconcile that failed across one drops the old window's hits. */
  window: number;
  /** Cancels the reconcile that is due (set while one is). */
  timer?: () => void;
  reconciling?: Promise<void>;
}

/**
 * Starts a key's next reconcile in `ms` and answers how to cancel it. Real timers by default (unref'd:
 * they never keep a process alive); tests pass their own, with a clock, to move time instead of waiting.
 * @example const timer: ReconcileTimer = (reconcile, ms) => { due.push({ at: clock.now() + ms, reconcile }); return () => {}; };
 */
export type ReconcileTimer = (reconcile: () => Promise<void>, ms: number) => () => void;

const realTimer: ReconcileTimer = (reconcile, ms) => {
  const timer = setTimeout(() => void reconcile(), ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface BatchedRateLimitOptions {
  /** Reconcile each key with the table at most this often (ms). */
  syncIntervalMs?: number;
  /** Where a failed reconcile is reported (at most once a minute). */
  log?: Pick<Logger, "warn">;
  /** When windows end and reconciles are due (the real clock by default). */
  clock?: Clock;
  /** Runs reconciles later (real timers by default); given with `clock`. */
  timer?: ReconcileTimer;
}

/** A failed reconcile is logged at most this often. */
const WARN_EVERY_MS = 60_000;

/**
 * An express-rate-limit store for hot paths: counts hits in memory (no database round trip per request)
 * and reconciles each key with the `rate_limits` table at most every `syncIntervalMs` (1 s): one upsert
 * adds the hits counted here since the last reconcile to the row and reads back the shared total. So N
 * instances on one database allow about the limit, over by at most what they accept in one interval,
 * not N × the limit. Windows as in {@link DatabaseRateLimitStore} (the row's window restarts when it has
 * ended). A key's first hit reconciles at once; timers are unref'd, and {@link shutdown} flushes and stops
 * them. A database error never fails a request: it is logged, and the hits stay counted here until a
 * later reconcile adds them (fail open to a per-process limit).
 * @example rateLimit({ windowMs: 60_000, limit: 6000, store: new BatchedRateLimitStore(ctx.store.db, "sync", { log: ctx.log }) })
 */
export class BatchedRateLimitStore implements Store {
  /** Counts are shared with other processes. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private readonly syncIntervalMs: number;
  private readonly log?: Pick<Logger, "warn">;
  private readonly clock: Clock;
  private readonly timer: ReconcileTimer;
  private readonly keys = new Map<string, BatchedKey>();
  private reconciles = 0;
  private lastWarn = 0;
  private closed = false;

  constructor(
    private readonly db: Db,
    /** Names the limiter, so two limiters never share a client's count. */
    readonly prefix: string,
    options: BatchedRateLimitOptions = {},
  ) {
    this.syncIntervalMs = options.syncIntervalMs ?? 1000;
    this.log = options.log;
    this.clock = options.clock ?? systemClock;
    this.timer = options.timer ?? realTimer;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  /** This process's view: the last shared total plus the hits counted here since. */
  get(key: string): ClientRateLimitInfo | undefined {
    const state = this.keys.get(key);
    if (!state || state.resetAt <= this.clock.now()) return undefined;
    return this.infoOf(state);
  }

  increment(key: string): ClientRateLimitInfo {
    const now = this.clock.now();
    const state = this.current(key, now);
    state.pending++;
    this.schedule(key, state, now);
    return this.infoOf(state);
  }

  decrement(key: string): void {
    const state = this.keys.get(key);
    if (!state || state.resetAt <= this.clock.now()) return;
    state.pending--;
    this.schedule(key, state, this.clock.now());
  }

  async resetKey(key: string): Promise<void> {
    const state = this.keys.get(key);
    state?.timer?.();
    this.keys.delete(key);
    await this.db.deleteFrom("rateLimits").where("key", "=", this.keyOf(key)).execute();
  }

  /** Stops the timers and adds the hits not yet reconciled to the table (call before closing the database). */
  async shutdown(): Promise<void> {
    this.closed = true;
    const flushes = [...this.keys.entries()].map(async ([key, state]) => {
      state.timer?.();
      state.timer = undefined;
      await state.reconciling;
      await this.reconcile(key, state);
    });
    await Promise.all(flushes);
  }

  /** The key's state in the current window: a window that has ended here starts again empty. */
  private current(key: string, now: number): BatchedKey {
    let state = this.keys.get(key);
    if (!state) {
      state = { pending: 0, shared: 0, resetAt: now + this.windowMs, lastSync: 0, window: 0 };
      this.keys.set(key, state);
    } else if (state.resetAt <= now) {
      state.pending = 0;
      state.shared = 0;
      state.resetAt = now + this.windowMs;
      state.window++;
    }
    return state;
  }

  private infoOf(state: BatchedKey): ClientRateLimitInfo {
    return { totalHits: Math.max(state.shared + state.pending, 0), resetTime: new Date(state.resetAt) };
  }

  /** Reconciles the key once its interval has passed (at once on its first hit), unless one is due already. */
  private schedule(key: string, state: BatchedKey, now: number): void {
    if (state.timer || state.reconciling || this.closed) return;
    const delay = Math.max(0, state.lastSync + this.syncIntervalMs - now);
    state.timer = this.timer(() => {
      state.timer = undefined;
      return this.reconcile(key, state);
    }, delay);
  }

  /** Adds the pending hits to the row and takes its total; never throws. */
  private reconcile(key: string, state: BatchedKey): Promise<void> {
    const hits = state.pending;
    if (hits === 0) return Promise.resolve();
    state.pending = 0;
    state.lastSync = this.clock.now();
    const window = state.window;
    const done = this.addAndRead(key, state, hits, window).finally(() => {
      state.reconciling = undefined;
      if (state.pending !== 0 && this.keys.get(key) === state) this.schedule(key, state, this.clock.now());
    });
    state.reconciling = done;
    return done;
  }

  private async addAndRead(key: string, state: BatchedKey, hits: number, window: number): Promise<void> {
    try {
      const row = await addHits(this.db, this.keyOf(key), hits, this.windowMs, this.clock);
      const resetAt = Date.parse(row.resetAt);
      // A row whose window ended while the upsert ran says nothing about the current window.
      if (resetAt > this.clock.now()) {
        state.shared = row.hits;
        state.resetAt = resetAt;
      }
      if (++this.reconciles % SWEEP_EVERY === 0) await this.prune();
    } catch (error) {
      if (state.window === window) state.pending += hits;
      this.warn(error);
    }
  }

  /** Forgets keys whose window has ended here and deletes ended rows from the table. */
  private async prune(): Promise<void> {
    const now = this.clock.now();
    for (const [key, state] of this.keys) {
      if (state.resetAt <= now && !state.timer && !state.reconciling) this.keys.delete(key);
    }
    await sweepExpired(this.db, this.clock);
  }

  private warn(error: unknown): void {
    const now = this.clock.now();
    if (now - this.lastWarn < WARN_EVERY_MS) return;
    this.lastWarn = now;
    this.log?.warn(
      { err: error, limiter: this.prefix },
      "rate limit: reconciling with the database failed; counting in this process until it works again",
    );
  }

  private keyOf(key: string): string {
    return `${this.prefix}:${key}`;
  }
}

/**
 * Makes the app's rate-limit stores on one database: a new instance per limiter (express-rate-limit
 * refuses a store shared by two limiters), and one {@link shutdown} for the batched ones.
 * @example rateLimit({ windowMs, limit, store: ctx.services.rateLimits.batched("sync") })
 */
export class RateLimitStores {
  private readonly batchedStores = new Set<BatchedRateLimitStore>();

  constructor(
    private readonly db: Db,
    private readonly log?: Pick<Logger, "warn">,
    private readonly clock: Clock = systemClock,
  ) {}

  /** One upsert per hit: for low-rate limiters (sign-in, connectivity tests). */
  shared(prefix: string): DatabaseRateLimitStore {
    return new DatabaseRateLimitStore(this.db, prefix, this.clock);
  }

  /** Counted in memory, reconciled about once a second: for hot paths (the sync API). */
  batched(prefix: string, options: Omit<BatchedRateLimitOptions, "log"> = {}): BatchedRateLimitStore {
    const store = new BatchedRateLimitStore(this.db, prefix, {
      clock: this.clock,
      ...options,
      log: this.log,
    });
    this.batchedStores.add(store);
    return store;
  }

  /** Flushes and stops every batched store (before the database closes). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.batchedStores].map((store) => store.shutdown()));
  }
}
