import type { Kysely } from "kysely";

/**
 * Connect account names whom it expects: the service account's UPN the admin entered at start. The
 * callback refuses any other account (rows from before this migration have none and are refused too;
 * they expire within minutes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("oauth_authorizations").addColumn("expected_upn", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("oauth_authorizations").dropColumn("expected_upn").execute();
}
