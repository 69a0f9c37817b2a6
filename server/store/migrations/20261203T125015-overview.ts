import { sql, type Kysely } from "kysely";

/**
 * The overview and stalled sync:
 * - users.active_since: when the mailbox last became active (stalled sync counts from it); existing active
 *   mailboxes get their last check (or last change), the closest known time.
 * - profiles.stalled_after_hours / stalled_alert_percent: the profile's stalled threshold and alert share.
 * - profile_daily_stats: one row per profile and UTC day, written as things happen (checks and sync
 *   reports add to it; the monitor writes the users by state and stalled count), so the overview's
 *   30-day trend never reads check history.
 * - indexes for the stalled rule: a profile's latest report, and its active mailboxes by report time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").addColumn("active_since", "text").execute();
  await sql`update users set active_since = coalesce(last_checked_at, updated_at) where state = 'active'`.execute(
    db,
  );
  await db.schema
    .alterTable("profiles")
    .addColumn("stalled_after_hours", "integer", (c) => c.notNull().defaultTo(24))
    .execute();
  await db.schema
    .alterTable("profiles")
    .addColumn("stalled_alert_percent", "integer", (c) => c.notNull().defaultTo(10))
    .execute();
  await db.schema
    .createTable("profile_daily_stats")
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("checks", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("check_failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("sync_reports", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("sync_failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("not_activated", "integer")
    .addColumn("pending", "integer")
    .addColumn("active", "integer")
    .addColumn("error", "integer")
    .addColumn("paused", "integer")
    .addColumn("stalled", "integer")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("profile_daily_stats_pk", ["profile_id", "day"])
    .execute();
  await db.schema
    .createIndex("users_profile_last_sync")
    .on("users")
    .columns(["profile_id", "last_sync_at"])
    .execute();
  await db.schema
    .createIndex("users_profile_state_sync")
    .on("users")
    .columns(["profile_id", "state", "last_sync_at", "active_since"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("users_profile_state_sync").execute();
  await db.schema.dropIndex("users_profile_last_sync").execute();
  await db.schema.dropTable("profile_daily_stats").execute();
  await db.schema.alterTable("profiles").dropColumn("stalled_alert_percent").execute();
  await db.schema.alterTable("profiles").dropColumn("stalled_after_hours").execute();
  await db.schema.alterTable("users").dropColumn("active_since").execute();
}
