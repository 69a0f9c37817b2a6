import type { Db, Store } from "../../server/store/db";

/** Opening a store of their own is for tests that outlive a server (restarts, crashes, rotation). */
import { storeAccess, type StoreAccess } from "../../server/store/unit-of-work";
import { openStore } from "../../server/store/db";
import { freshSchema } from "../helpers/server";
export { openStore, type Store, type StoreOptions } from "../../server/store/db";

/** Whatever a factory writes through: a test server's `ctx`, a job harness, a fixture's server, or a store. */
export type StoreHolder = { store: Pick<Store, "db"> } | Pick<Store, "db">;

/**
 * The query builder behind a holder. Only test/factories reach it: tests build and read rows through the
 * named factories here (test/architecture.test.ts checks).
 * @example await dbOf(s.ctx).selectFrom("users").selectAll().execute();
 */
export function dbOf(holder: StoreHolder): Db {
  return "store" in holder ? holder.store.db : holder.db;
}

/** The current time as the store writes it (ISO-8601 UTC). */
export const nowIso = (): string => new Date().toISOString();

/**
 * The store access (repositories and units of work) over a holder's store, as the server's code takes it.
 * @example const runner = h.runner({ store: storeAccessOf(h) });
 */
export function storeAccessOf(holder: StoreHolder): StoreAccess {
  return storeAccess(dbOf(holder));
}

/** A store a test opens for itself, and how to close it (dropping its PostgreSQL schema). */
export interface TestStore {
  store: Store;
  close(): Promise<void>;
}

/**
 * A store of the test's own on `dialect`: SQLite in memory, or PostgreSQL (`TEST_DATABASE_URL`) in a
 * fresh schema that `close()` drops.
 * @example const opened = await openTestStore(dialect); ... await opened.close();
 */
export async function openTestStore(
  dialect: "sqlite" | "postgres",
  { poolSize = 3 }: { poolSize?: number } = {},
): Promise<TestStore> {
  if (dialect === "sqlite") {
    const store = await openStore({ sqliteFile: ":memory:" });
    return { store, close: () => store.close() };
  }
  const schema = freshSchema();
  const store = await openStore({
    databaseUrl: process.env.TEST_DATABASE_URL,
    pgSchema: schema.schema,
    poolSize,
  });
  return {
    store,
    close: async () => {
      await store.close();
      await schema.drop();
    },
  };
}
