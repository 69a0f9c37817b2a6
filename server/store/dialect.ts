import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from "kysely";

/** True when the Kysely instance talks to PostgreSQL (false for SQLite). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A text column that sorts and compares in byte order on both databases (PostgreSQL `COLLATE "C"`;
 * SQLite's BINARY is already byte order), so keyset pagination and prefix ranges agree everywhere.
 */
export function byteOrderText(column: ColumnDefinitionBuilder, pg: boolean): ColumnDefinitionBuilder {
  return pg ? column.modifyFront(sql`collate "C"`) : column;
}
