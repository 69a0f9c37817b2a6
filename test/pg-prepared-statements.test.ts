/**
 * PostgreSQL statements run often are prepared per connection (server/store/db.ts). They must keep
 * working when the schema changes under them, as when another instance migrates first.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../server/store/db";
import { freshSchema } from "./helpers/server";

describe.skipIf(!process.env.TEST_DATABASE_URL)("prepared statements on PostgreSQL", () => {
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const schema = freshSchema();
    drop = () => schema.drop();
    store = await openStore({
      databaseUrl: process.env.TEST_DATABASE_URL,
      pgSchema: schema.schema,
      poolSize: 1,
    });
    await store.db.insertInto("settings").values({ key: "k", value: '"v"' }).execute();
  });
  afterAll(async () => {
    await store.close();
    await drop();
  });

  const prepared = async () =>
    (
      await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements`.execute(store.db)
    ).rows;

  it("prepares a statement after a few runs, and leaves `*` selects unnamed", async () => {
    for (let i = 0; i < 8; i++) {
      expect(
        await store.db
          .selectFrom("settings")
          .select(["key", "value"])
          .where("key", "=", "k")
          .executeTakeFirst(),
      ).toEqual({ key: "k", value: '"v"' });
      expect(
        await store.db.selectFrom("settings").selectAll().where("key", "=", "k").executeTakeFirst(),
      ).toMatchObject({ key: "k" });
    }
    const statements = (await prepared()).map((p) => p.statement);
    expect(statements.some((s) => s.includes('"key", "value" from "settings"'))).toBe(true);
    expect(statements.some((s) => s.includes("*"))).toBe(false);
  });

  it("keeps answering after a column is added (another instance migrated first)", async () => {
    await sql`alter table settings add column extra text`.execute(store.db);
    try {
      for (let i = 0; i < 8; i++) {
        expect(
          await store.db
            .selectFrom("settings")
            .select(["key", "value"])
            .where("key", "=", "k")
            .executeTakeFirst(),
        ).toEqual({ key: "k", value: '"v"' });
        expect(
          await store.db.selectFrom("settings").selectAll().where("key", "=", "k").executeTakeFirst(),
        ).toMatchObject({ key: "k", extra: null });
      }
    } finally {
      await sql`alter table settings drop column extra`.execute(store.db);
    }
  });
});
