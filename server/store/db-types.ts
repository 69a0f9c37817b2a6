import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema";

export type Db = Kysely<Database>;
export type DialectName = "sqlite" | "postgres";
/**
 * A transaction: a `Db` that is one. Methods that must run inside the caller's transaction take a `Tx`,
 * so passing the store's `Db` (which on SQLite would wait for the transaction's connection forever) is a
 * type error rather than a deadlock.
 */
export type Tx = Transaction<Database>;
