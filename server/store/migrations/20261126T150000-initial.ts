import type { Kysely } from "kysely";
import { byteOrderText, isPostgres } from "../dialect";

/** Every table of the first release. */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable("profiles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_lower", "text", (c) => c.notNull().unique())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("sync_enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("max_concurrent_connections", "integer", (c) => c.notNull().defaultTo(10))
    .addColumn("alert", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("mailbox_access")
    .addColumn("profile_id", "text", (c) => c.primaryKey().references("profiles.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("sealed_secret", "text")
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("address_lower", "text", (c) => byteOrderText(c, pg).notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("state_before", "text")
    .addColumn("mailbox_kind", "text")
    .addColumn("last_checked_at", "text")
    .addColumn("last_error", "text")
    .addColumn("entra_object_id", "text")
    .addColumn("last_sync_at", "text")
    .addColumn("sync_errors", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("users_profile_address")
    .on("users")
    .columns(["profile_id", "address_lower"])
    .execute();
  await db.schema
    .createIndex("users_profile_state_address")
    .on("users")
    .columns(["profile_id", "state", "address_lower"])
    .execute();
  await db.schema.createIndex("users_updated").on("users").columns(["updated_at", "id"]).execute();
  await db.schema.createIndex("users_entra_object_id").on("users").column("entra_object_id").execute();

  await db.schema
    .createTable("user_words")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("word", "text", (c) => byteOrderText(c, pg).notNull())
    .addPrimaryKeyConstraint("user_words_pk", ["user_id", "word"])
    .execute();
  await db.schema
    .createIndex("user_words_profile_word")
    .on("user_words")
    .columns(["profile_id", "word"])
    .execute();

  await db.schema
    .createTable("check_history")
    .addColumn("id", pg ? "bigserial" : "integer", (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("checked_at", "text", (c) => c.notNull())
    .addColumn("ok", "integer", (c) => c.notNull())
    .addColumn("code", "text")
    .addColumn("message", "text")
    .addColumn("ms", "integer", (c) => c.notNull())
    .addColumn("job_id", "text")
    .execute();
  await db.schema
    .createIndex("check_history_user")
    .on("check_history")
    .columns(["user_id", "checked_at"])
    .execute();
  await db.schema.createIndex("check_history_checked_at").on("check_history").column("checked_at").execute();

  await db.schema
    .createTable("connectivity_tests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text", (c) => c.notNull())
    .addColumn("ok", "integer", (c) => c.notNull())
    .addColumn("result", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("connectivity_tests_profile")
    .on("connectivity_tests")
    .columns(["profile_id", "started_at"])
    .execute();

  await db.schema
    .createTable("jobs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("done", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("ok", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failures_by_code", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("reason", "text")
    .addColumn("params", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("finished_at", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("jobs_profile").on("jobs").columns(["profile_id", "created_at"]).execute();
  await db.schema.createIndex("jobs_state").on("jobs").column("state").execute();

  await db.schema
    .createTable("job_items")
    .addColumn("job_id", "text", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("ok", "integer")
    .addColumn("code", "text")
    .addPrimaryKeyConstraint("job_items_pk", ["job_id", "user_id"])
    .execute();
  await db.schema
    .createIndex("job_items_claim")
    .on("job_items")
    .columns(["job_id", "state", "seq"])
    .execute();

  await db.schema
    .createTable("audit_events")
    .addColumn("id", pg ? "bigserial" : "integer", (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("profile_id", "text")
    .addColumn("target", "text")
    .addColumn("before", "text")
    .addColumn("after", "text")
    .execute();
  await db.schema
    .createIndex("audit_events_profile")
    .on("audit_events")
    .columns(["profile_id", "id"])
    .execute();
  await db.schema.createIndex("audit_events_at").on("audit_events").column("at").execute();

  await db.schema
    .createTable("local_admins")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("email_lower", "text", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("admin_id", "text", (c) => c.notNull().references("local_admins.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("last_seen_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_admin").on("sessions").column("admin_id").execute();

  await db.schema
    .createTable("profile_admins")
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("user_principal_name", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("profile_admins_pk", ["profile_id", "user_principal_name"])
    .execute();
  await db.schema
    .createIndex("profile_admins_upn")
    .on("profile_admins")
    .column("user_principal_name")
    .execute();

  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "settings",
    "profile_admins",
    "sessions",
    "local_admins",
    "audit_events",
    "job_items",
    "jobs",
    "connectivity_tests",
    "check_history",
    "user_words",
    "users",
    "mailbox_access",
    "profiles",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
