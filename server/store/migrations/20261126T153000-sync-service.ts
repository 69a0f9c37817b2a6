import type { Kysely } from "kysely";

/** Service keys for the sync service, its sync sessions, and tombstones of removed mailboxes for the roster. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("service_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("profile_id", "text", (c) => c.references("profiles.id").onDelete("cascade"))
    .addColumn("expires_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .addColumn("revoked_at", "text")
    .execute();

  await db.schema
    .createTable("sync_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("service_key_id", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text", (c) => c.notNull())
    .addColumn("items_in", "integer", (c) => c.notNull())
    .addColumn("items_out", "integer", (c) => c.notNull())
    .addColumn("ok", "integer", (c) => c.notNull())
    .addColumn("errors", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("sync_sessions_user")
    .on("sync_sessions")
    .columns(["user_id", "finished_at"])
    .execute();
  await db.schema.createIndex("sync_sessions_received").on("sync_sessions").column("received_at").execute();

  await db.schema
    .createTable("mailbox_tombstones")
    .addColumn("address_lower", "text", (c) => c.notNull())
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("removed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("mailbox_tombstones_pk", ["address_lower", "profile_id", "removed_at"])
    .execute();
  await db.schema
    .createIndex("mailbox_tombstones_removed")
    .on("mailbox_tombstones")
    .column("removed_at")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["mailbox_tombstones", "sync_sessions", "service_keys"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
