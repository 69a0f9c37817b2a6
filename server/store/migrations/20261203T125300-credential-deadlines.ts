import type { Kysely } from "kysely";

/**
 * Credentials and deadlines: what Exchange told of the service account's password expiry (EWS
 * GetPasswordExpirationDate), and which advance alerts (30, 7, 1 days ahead) were sent for which
 * credential, so each is sent once. A credential is named by its due date: a replaced credential has
 * another, and the rows of the old one are deleted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("credential_expiry")
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    /** Null: Exchange says it never expires. */
    .addColumn("expires_at", "text")
    .addColumn("checked_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("credential_expiry_pk", ["profile_id", "kind"])
    .execute();
  await db.schema
    .createTable("credential_alerts")
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("credential_key", "text", (c) => c.notNull())
    .addColumn("threshold_days", "integer", (c) => c.notNull())
    .addColumn("sent_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("credential_alerts_pk", [
      "profile_id",
      "kind",
      "credential_key",
      "threshold_days",
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("credential_alerts").execute();
  await db.schema.dropTable("credential_expiry").execute();
}
