import { sql, type Kysely } from "kysely";
import { classifyFailure } from "../../domain/failure-cause";
import { isPostgres } from "../dialect";

/**
 * Failures grouped by cause (the Problems view): each user carries the cause of its current failure,
 * classified when the check or the sync report is written, so grouping is a GROUP BY on an index.
 * - `failure_cause`: the check's cause while the last check failed, else the latest sync report's, else null;
 * - `sync_cause`: the cause of the latest sync report's errors (null when it had none);
 * - `failure_since` / `failure_seen_at`: when the current cause was first and last seen;
 * - `primary_address`: for an alias, the primary SMTP address Exchange named (ErrorNonPrimarySmtpAddress).
 * Existing failures are classified here, set-based: one UPDATE per (cause, app-only or not) over the
 * distinct stored codes (the classifier of this release; later releases reclassify at the next check).
 */

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of [
    "failure_cause",
    "sync_cause",
    "failure_since",
    "failure_seen_at",
    "primary_address",
  ]) {
    await db.schema.alterTable("users").addColumn(column, "text").execute();
  }
  // Covering, and only over failing users: the grouping reads no table row, the cause filter walks it in order.
  await db.schema
    .createIndex("users_failure")
    .on("users")
    .columns(["profile_id", "failure_cause", "address_lower", "state", "failure_since", "failure_seen_at"])
    .where(sql.ref("failure_cause"), "is not", null)
    .execute();

  const pg = isPostgres(db);
  const code = pg ? sql`(last_error::json ->> 'code')` : sql`json_extract(last_error, '$.code')`;
  const syncCode = pg
    ? sql`(sync_errors::json -> 0 ->> 'code')`
    : sql`json_extract(sync_errors, '$[0].code')`;
  const appOnly = sql`(select type from mailbox_access m where m.profile_id = users.profile_id) in ('ews-app-only', 'graph-app-only')`;

  const checkCodes = await sql<{
    code: string | null;
  }>`select distinct ${code} as code from users where last_error is not null`.execute(db);
  const syncCodes = await sql<{
    code: string | null;
  }>`select distinct ${syncCode} as code from users where sync_errors is not null`.execute(db);

  // Sync report errors first, into both columns; check errors then take precedence in failure_cause.
  for (const app of [false, true]) {
    const byCause = new Map<string, string[]>();
    for (const { code: c } of syncCodes.rows) {
      if (!c) continue;
      const cause = classifyFailure({ code: c, accessType: app ? "graph-app-only" : null });
      byCause.set(cause === "other" ? "sync-service" : cause, [
        ...(byCause.get(cause === "other" ? "sync-service" : cause) ?? []),
        c,
      ]);
    }
    for (const [cause, codes] of byCause) {
      await sql`update users set sync_cause = ${cause}, failure_cause = ${cause},
          failure_since = last_sync_at, failure_seen_at = last_sync_at
        where sync_errors is not null and ${syncCode} in (${sql.join(codes)})
          and ${app ? sql`` : sql`not `}coalesce(${appOnly}, false)`.execute(db);
    }
  }
  for (const app of [false, true]) {
    const byCause = new Map<string, string[]>();
    for (const { code: c } of checkCodes.rows) {
      if (!c) continue;
      const cause = classifyFailure({ code: c, accessType: app ? "graph-app-only" : null });
      byCause.set(cause, [...(byCause.get(cause) ?? []), c]);
    }
    for (const [cause, codes] of byCause) {
      await sql`update users set failure_cause = ${cause},
          failure_since = last_checked_at, failure_seen_at = last_checked_at
        where last_error is not null and ${code} in (${sql.join(codes)})
          and ${app ? sql`` : sql`not `}coalesce(${appOnly}, false)`.execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("users_failure").execute();
  for (const column of [
    "primary_address",
    "failure_seen_at",
    "failure_since",
    "sync_cause",
    "failure_cause",
  ]) {
    await db.schema.alterTable("users").dropColumn(column).execute();
  }
}
