import type { Kysely } from "kysely";

/**
 * A job's throttling: how many of its calls Exchange refused as busy (never an attempt of the item), and
 * since when its calls have been refused with none passing (null while calls pass).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("jobs")
    .addColumn("throttled", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("jobs").addColumn("throttled_since", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("jobs").dropColumn("throttled_since").execute();
  await db.schema.alterTable("jobs").dropColumn("throttled").execute();
}
