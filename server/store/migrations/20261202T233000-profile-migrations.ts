import type { Kysely } from "kysely";

/**
 * Moving a profile's mailbox access from an EWS type to Graph app-only: the candidate access (sealed),
 * the previous access kept sealed for a roll back, and the dry run's result per user.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("profile_migrations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("from_type", "text", (c) => c.notNull())
    .addColumn("from_version", "integer", (c) => c.notNull())
    .addColumn("to_type", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("dry_run_job_id", "text", (c) => c.notNull())
    .addColumn("recheck_job_id", "text")
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("sealed_secret", "text")
    .addColumn("roles", "text", (c) => c.notNull())
    .addColumn("needs", "text", (c) => c.notNull())
    .addColumn("out_of_scope_user", "text", (c) => c.notNull())
    .addColumn("out_of_scope_result", "text")
    .addColumn("roles_assigned_at", "text")
    .addColumn("previous_type", "text")
    .addColumn("previous_settings", "text")
    .addColumn("previous_sealed_secret", "text")
    .addColumn("previous_version", "integer")
    .addColumn("applied_version", "integer")
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("applied_at", "text")
    .addColumn("applied_by", "text")
    .addColumn("rolled_back_at", "text")
    .addColumn("rolled_back_by", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("profile_migrations_profile")
    .on("profile_migrations")
    .columns(["profile_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("profile_migrations_dry_run_job")
    .on("profile_migrations")
    .column("dry_run_job_id")
    .execute();

  await db.schema
    .createTable("profile_migration_results")
    .addColumn("migration_id", "text", (c) =>
      c.notNull().references("profile_migrations.id").onDelete("cascade"),
    )
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("code", "text")
    .addColumn("message", "text")
    .addColumn("remediation", "text")
    .addColumn("retry_at", "text")
    .addColumn("recheck", "text")
    .addColumn("checked_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("profile_migration_results_pk", ["migration_id", "user_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("profile_migration_results").ifExists().execute();
  await db.schema.dropTable("profile_migrations").ifExists().execute();
}
