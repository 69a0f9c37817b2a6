/**
 * The store-backed rate-limit counter (server/store/rate-limit-store.ts) on both databases: hits add
 * up per limiter and key, a window that has ended starts again at 1, reset and decrement work, and
 * concurrent hits are all counted (one atomic upsert each).
 */
import type { Options } from "express-rate-limit";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../server/store/db";
import { DatabaseRateLimitStore } from "../../server/store/rate-limit-store";
import { announcePostgresSkip, freshSchema, testDatabases } from "../helpers/server";

announcePostgresSkip();

describe.each(testDatabases())("DatabaseRateLimitStore on %s", (dialect) => {
  let store: Store | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await store?.close();
    await drop?.();
  });

  async function open(windowMs: number) {
    if (dialect === "postgres") {
      const schema = freshSchema();
      drop = () => schema.drop();
      store = await openStore({ databaseUrl: process.env.TEST_DATABASE_URL, pgSchema: schema.schema, poolSize: 4 });
    } else {
      store = await openStore({ sqliteFile: ":memory:" });
    }
    const make = (prefix: string) => {
      const limiter = new DatabaseRateLimitStore(store!.db, prefix);
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
    const make = await open(200);
    const login = make("login");
    const first = await login.increment("k");
    await login.increment("k");
    expect((await login.increment("k")).totalHits).toBe(3);
    await new Promise((r) => setTimeout(r, 250));
    expect(await login.get("k")).toBeUndefined();
    const next = await login.increment("k");
    expect(next.totalHits).toBe(1);
    expect(next.resetTime!.getTime()).toBeGreaterThan(first.resetTime!.getTime());
  });
});
