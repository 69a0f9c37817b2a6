import type { Db, Store } from "../../server/store/db";

/** Opening a store of their own is for tests that outlive a server (restarts, crashes, rotation). */
import { storeAccess, type StoreAccess } from "../../server/store/unit-of-work";
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
