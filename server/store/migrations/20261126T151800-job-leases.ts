import type { Kysely } from "kysely";

/** A job is driven by one runner at a time under a lease, so a profile's concurrency holds across instances. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("jobs").addColumn("lease_owner", "text").execute();
  await db.schema.alterTable("jobs").addColumn("lease_until", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("jobs").dropColumn("lease_until").execute();
  await db.schema.alterTable("jobs").dropColumn("lease_owner").execute();
}
