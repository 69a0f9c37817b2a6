import type { Kysely } from "kysely";

/**
 * Pending "Connect account" authorizations (OAuth impersonated logon): one row per one-time URL, kept
 * in the store so any instance can serve the popup's first URL and the identity provider's callback.
 * Only hashes of the one-time token, the state and the browser binding are stored; the PKCE verifier
 * is sealed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("oauth_authorizations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("profile_id", "text", (c) => c.notNull().references("profiles.id").onDelete("cascade"))
    .addColumn("actor_id", "text", (c) => c.notNull())
    .addColumn("actor_name", "text", (c) => c.notNull())
    .addColumn("state_hash", "text", (c) => c.unique())
    .addColumn("binding_hash", "text")
    .addColumn("sealed_verifier", "text")
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("opened_at", "text")
    .addColumn("completed_at", "text")
    .execute();
  await db.schema
    .createIndex("oauth_authorizations_expires")
    .on("oauth_authorizations")
    .column("expires_at")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("oauth_authorizations").ifExists().execute();
}
