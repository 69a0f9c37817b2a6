import { sql } from "kysely";
import type { ClientRateLimitInfo, Options, Store } from "express-rate-limit";
import type { Db } from "./db";

/** Expired rows are deleted about once every this many increments. */
const SWEEP_EVERY = 200;

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
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db.selectFrom("rateLimits").select(["hits", "resetAt"]).where("key", "=", this.keyOf(key)).executeTakeFirst();
    if (!row || row.resetAt <= new Date().toISOString()) return undefined;
    return { totalHits: row.hits, resetTime: new Date(row.resetAt) };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = new Date().toISOString();
    const resetAt = new Date(Date.now() + this.windowMs).toISOString();
    const row = await this.db
      .insertInto("rateLimits")
      .values({ key: this.keyOf(key), hits: 1, resetAt })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          hits: sql<number>`case when rate_limits.reset_at <= ${now} then 1 else rate_limits.hits + 1 end`,
          resetAt: sql<string>`case when rate_limits.reset_at <= ${now} then ${resetAt} else rate_limits.reset_at end`,
        }),
      )
      .returning(["hits", "resetAt"])
      .executeTakeFirstOrThrow();
    if (++this.hitsSinceSweep >= SWEEP_EVERY) {
      this.hitsSinceSweep = 0;
      await this.db.deleteFrom("rateLimits").where("resetAt", "<=", now).execute();
    }
    return { totalHits: Number(row.hits), resetTime: new Date(row.resetAt) };
  }

  async decrement(key: string): Promise<void> {
    await this.db.updateTable("rateLimits").set({ hits: sql<number>`hits - 1` }).where("key", "=", this.keyOf(key)).where("hits", ">", 0).execute();
  }

  async resetKey(key: string): Promise<void> {
    await this.db.deleteFrom("rateLimits").where("key", "=", this.keyOf(key)).execute();
  }

  private keyOf(key: string): string {
    return `${this.prefix}:${key}`;
  }
}
