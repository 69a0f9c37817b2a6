/**
 * The store-backed rate-limit counters (server/store/rate-limit-store.ts) on both databases.
 * DatabaseRateLimitStore: hits add up per limiter and key, a window that has ended starts again at 1,
 * reset and decrement work, and concurrent hits are all counted (one atomic upsert each).
 * BatchedRateLimitStore (the sync API's): two stores on one database (two instances) share one count
 * after a sync interval, together allow about the limit rather than twice it, restart ended windows,
 * and survive a failing database (logged, never thrown).
 */
import type { Options } from "express-rate-limit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { manualClock, type Clock } from "../../server/domain/clock";
import { openStore, type Store } from "../../server/store/db";
import {
  BatchedRateLimitStore,
  DatabaseRateLimitStore,
  type ReconcileTimer,
} from "../../server/store/rate-limit-store";
import { announcePostgresSkip, freshSchema, testDatabases } from "../helpers/server";

announcePostgresSkip();

/**
 * The batched store's clock and reconcile timers, moved by the test instead of waiting: `advance(ms)`
 * runs every reconcile due by then, in order, at the time it is due, each to its end (its upsert too).
 */
function virtualTime() {
  const clock = manualClock();
  let due: { at: number; reconcile: () => Promise<void> }[] = [];
  let ran = 0;
  const timer: ReconcileTimer = (reconcile, ms) => {
    const entry = { at: clock.now() + ms, reconcile };
    due.push(entry);
    return () => {
      due = due.filter((d) => d !== entry);
    };
  };
  return {
    clock,
    timer,
    /** How many reconciles have run. */
    ran: () => ran,
    async advance(ms: number): Promise<void> {
      const end = clock.now() + ms;
      for (;;) {
        const next = due.filter((d) => d.at <= end).sort((x, y) => x.at - y.at)[0];
        if (!next) break;
        due = due.filter((d) => d !== next);
        clock.advance(next.at - clock.now());
        ran++;
        await next.reconcile();
      }
      clock.advance(end - clock.now());
    },
  };
}
type VirtualTime = ReturnType<typeof virtualTime>;

describe.each(testDatabases())("DatabaseRateLimitStore on %s", (dialect) => {
  let store: Store | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await store?.close();
    await drop?.();
  });

  async function openDb(): Promise<Store> {
    if (dialect === "postgres") {
      const schema = freshSchema();
      drop = () => schema.drop();
      store = await openStore({
        databaseUrl: process.env.TEST_DATABASE_URL,
        pgSchema: schema.schema,
        poolSize: 4,
      });
    } else {
      store = await openStore({ sqliteFile: ":memory:" });
    }
    return store;
  }

  async function open(windowMs: number, clock?: Clock) {
    await openDb();
    const make = (prefix: string) => {
      const limiter = new DatabaseRateLimitStore(store!.db, prefix, clock);
      limiter.init({ windowMs } as Options);
      return limiter;
    };
    return make;
  }

  it("counts per limiter and key, all concurrent hits included", async () => {
    const make = await open(60_000);
    const login = make("login");
    const other = make("other");
    await Promise.all(Array.from({ length: 20 }, () => login.increment("198.51.100.7")));
    expect((await login.increment("198.51.100.7")).totalHits).toBe(21);
    expect((await other.increment("198.51.100.7")).totalHits).toBe(1);
    expect((await login.increment("198.51.100.8")).totalHits).toBe(1);
    await login.decrement("198.51.100.7");
    expect((await login.get("198.51.100.7"))?.totalHits).toBe(20);
    await login.resetKey("198.51.100.7");
    expect(await login.get("198.51.100.7")).toBeUndefined();
  });

  it("starts a new window at 1 once the old one has ended", async () => {
    const clock = manualClock();
    const make = await open(200, clock);
    const login = make("login");
    const first = await login.increment("k");
    await login.increment("k");
    expect((await login.increment("k")).totalHits).toBe(3);
    clock.advance(250); // the login window (200 ms) has ended
    expect(await login.get("k")).toBeUndefined();
    const next = await login.increment("k");
    expect(next.totalHits).toBe(1);
    expect(next.resetTime!.getTime()).toBeGreaterThan(first.resetTime!.getTime());
  });
});

describe.each(testDatabases())("BatchedRateLimitStore on %s", (dialect) => {
  let store: Store | undefined;
  let drop: (() => Promise<void>) | undefined;
  const stores: BatchedRateLimitStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.shutdown()));
    await store?.close();
    store = undefined;
    await drop?.();
  });

  /**
   * Opens a database and makes "instances" of one limiter on it (one BatchedRateLimitStore each), on the
   * real clock and timers or on `time`'s.
   */
  async function open(windowMs: number, syncIntervalMs: number, time?: VirtualTime) {
    const log = { warn: vi.fn() };
    if (dialect === "postgres") {
      const schema = freshSchema();
      drop = () => schema.drop();
      store = await openStore({
        databaseUrl: process.env.TEST_DATABASE_URL,
        pgSchema: schema.schema,
        poolSize: 4,
      });
    } else {
      store = await openStore({ sqliteFile: ":memory:" });
    }
    const db = store.db;
    const instance = (prefix = "sync") => {
      const limiter = new BatchedRateLimitStore(db, prefix, {
        syncIntervalMs,
        log,
        clock: time?.clock,
        timer: time?.timer,
      });
      limiter.init({ windowMs } as Options);
      stores.push(limiter);
      return limiter;
    };
    const row = (key: string, prefix = "sync") =>
      db
        .selectFrom("rateLimits")
        .select(["hits", "resetAt"])
        .where("key", "=", `${prefix}:${key}`)
        .executeTakeFirst();
    return { instance, row, log };
  }

  it("counts in memory, and two instances share one count once they have reconciled", async () => {
    const { instance, row } = await open(60_000, 100);
    const a = instance();
    const b = instance();
    const other = instance("other");
    // Answered at once, from memory; the first hit reconciles at once, later ones at most every 100 ms.
    for (let i = 0; i < 5; i++) expect(a.increment("key-1").totalHits).toBe(i + 1);
    expect(other.increment("key-1").totalHits).toBe(1);
    await vi.waitFor(async () => expect((await row("key-1"))?.hits).toBe(5), { timeout: 2000, interval: 10 });
    // b counts its own hits in memory, and its reconcile adds them to the row and reads back a's.
    for (let i = 0; i < 3; i++) expect(b.increment("key-1").totalHits).toBe(i + 1);
    await vi.waitFor(() => expect(b.get("key-1")?.totalHits).toBe(8), { timeout: 2000, interval: 10 });
    expect((await row("key-1"))?.hits).toBe(8);
    // a learns b's hits on its next reconcile (within one interval of its next hit).
    expect(a.increment("key-1").totalHits).toBe(6);
    await vi.waitFor(() => expect(a.get("key-1")?.totalHits).toBe(9), { timeout: 2000, interval: 10 });
    expect((await row("key-1", "other"))?.hits).toBe(1);
    expect(await row("key-2")).toBeUndefined();
    // resetKey forgets the key here and in the table.
    await a.resetKey("key-1");
    expect(a.get("key-1")).toBeUndefined();
    expect(await row("key-1")).toBeUndefined();
  });

  it("two instances hitting one key together allow about the limit, not twice it", async () => {
    const time = virtualTime();
    const { instance } = await open(60_000, 50, time);
    const limit = 30;
    const instances = [instance(), instance()];
    let allowed = 0;
    for (let i = 0; i < 120; i++) {
      if (instances[i % 2].increment("busy").totalHits <= limit) allowed++;
      await time.advance(5); // the reconciles due by then run
    }
    // Per process each would allow 30 (60 together); shared, they are over by at most what they accept
    // between two reconciles (here about 50 ms of hits at one every 5 ms).
    expect(allowed).toBeGreaterThanOrEqual(limit);
    expect(allowed).toBeLessThan(2 * limit);
  });

  it("starts a new window once the row's has ended, here and in the table", async () => {
    const time = virtualTime();
    const { instance, row } = await open(300, 20, time);
    const a = instance();
    const b = instance();
    const first = a.increment("k");
    await time.advance(0); // a key's first hit reconciles at once
    expect((await row("k"))?.hits).toBe(1);
    b.increment("k");
    b.increment("k");
    await time.advance(0);
    expect(b.get("k")?.totalHits).toBe(3);
    await time.advance(350); // the window (300 ms) has ended, here and in the row
    expect(a.get("k")).toBeUndefined();
    expect(b.get("k")).toBeUndefined();
    const next = a.increment("k");
    expect(next.totalHits).toBe(1);
    expect(next.resetTime!.getTime()).toBeGreaterThan(first.resetTime!.getTime());
    // The row starts again with the new window's hits, not 3 + 1.
    await time.advance(0); // a's last reconcile was more than an interval ago: this one is due at once
    expect((await row("k"))?.hits).toBe(1);
    expect(Date.parse((await row("k"))!.resetAt)).toBeGreaterThan(first.resetTime!.getTime());
  });

  it("a database error while reconciling is logged, never thrown: counting goes on in this process", async () => {
    const time = virtualTime();
    const { instance, log } = await open(60_000, 20, time);
    const a = instance();
    a.increment("k");
    await store!.close();
    store = undefined;
    for (let i = 0; i < 4; i++) expect(a.increment("k").totalHits).toBe(i + 2);
    await time.advance(0); // the first hit's reconcile, on the closed database
    expect(log.warn).toHaveBeenCalled();
    expect(log.warn.mock.calls[0][1]).toMatch(/reconciling with the database failed/);
    const ran = time.ran();
    await time.advance(100); // it retries every 20 ms
    expect(time.ran() - ran).toBe(5);
    // Logged once (at most once a minute), not on every retry; the hits are still counted here.
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(a.increment("k").totalHits).toBe(6);
    await a.shutdown(); // fails to flush, logs nothing more, throws nothing
  });

  it("shutdown adds the hits not yet reconciled to the table and stops the timers", async () => {
    const { instance, row } = await open(60_000, 60_000);
    const a = instance();
    a.increment("k"); // reconciles at once
    await vi.waitFor(async () => expect((await row("k"))?.hits).toBe(1), { timeout: 2000, interval: 10 });
    a.increment("k");
    a.increment("k"); // due in a minute
    expect((await row("k"))?.hits).toBe(1);
    await a.shutdown();
    expect((await row("k"))?.hits).toBe(3);
  });
});
