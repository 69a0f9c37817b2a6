import type { Kysely } from "kysely";

/**
 * When the runner holding a job last renewed its lease: with `lease_until` it tells how long its lease
 * lasts, so a reader can see that the runner stopped (a crash, a killed server) and when the job resumes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("jobs").addColumn("lease_renewed_at", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("jobs").dropColumn("lease_renewed_at").execute();
}
