import { sql } from "kysely";
import { dbOf, type StoreHolder } from "./store";

/**
 * What the operations tests do to a SQLite store beside the product: pragmas, a live backup, a check.
 * (A server on SQLite has one connection, so a pragma set here applies to the server's queries.)
 */

/** `PRAGMA page_count`: how many pages the database file has. */
export async function sqlitePageCount(holder: StoreHolder): Promise<number> {
  return (await sql<{ pageCount: number }>`pragma page_count`.execute(dbOf(holder))).rows[0].pageCount;
}

/**
 * `PRAGMA max_page_count`: caps the file at `pages` pages (a full disk, as SQLite sees it).
 * @example await setSqliteMaxPageCount(s.ctx, (await sqlitePageCount(s.ctx)) + 20);
 */
export async function setSqliteMaxPageCount(holder: StoreHolder, pages: number): Promise<void> {
  await sql.raw(`pragma max_page_count = ${Math.trunc(pages)}`).execute(dbOf(holder));
}

/** `VACUUM INTO file`: a consistent copy of a live (WAL) database, as docs/OPERATIONS.md backs it up. */
export async function sqliteVacuumInto(holder: StoreHolder, file: string): Promise<void> {
  await sql`vacuum into ${file}`.execute(dbOf(holder));
}

/** `PRAGMA integrity_check`'s rows (`[{ integrityCheck: "ok" }]` for a sound file). */
export async function sqliteIntegrityCheck(holder: StoreHolder): Promise<{ integrityCheck: string }[]> {
  return (await sql<{ integrityCheck: string }>`pragma integrity_check`.execute(dbOf(holder))).rows;
}
