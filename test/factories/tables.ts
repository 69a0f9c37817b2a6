import { sql } from "kysely";
import type { Store } from "../../server/store/db";
import type { Database } from "../../server/store/schema";
import { dbOf, type StoreHolder } from "./store";

/**
 * Every table of the store, by name (SQLite: the file's tables; PostgreSQL: the current schema's).
 * @example const names = await storeTables(s.ctx.store);
 */
export async function storeTables(store: Pick<Store, "db" | "dialect">): Promise<string[]> {
  const rows =
    store.dialect === "sqlite"
      ? await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
          store.db,
        )
      : await sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(
          store.db,
        );
  return rows.rows.map((r) => r.name);
}

/**
 * Every row of a table by its SQL name, as the driver answers it (to digest or search the whole store).
 * @example const rows = await tableRows(s.ctx.store, "mailbox_access");
 */
export async function tableRows(store: Pick<Store, "db">, table: string): Promise<Record<string, unknown>[]> {
  return (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db)).rows;
}

/**
 * How many rows a table holds (by its name in the schema types).
 * @example expect(await countRows(s.ctx, "userWords")).toBe(0);
 */
export async function countRows(holder: StoreHolder, table: keyof Database): Promise<number> {
  const { n } = await dbOf(holder)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(n);
}
