import { sql, type Kysely } from "kysely";
import { isPostgres } from "../dialect";

/**
 * profile_state_counts: users per profile and state, kept by triggers on `users` so that every writer
 * (imports, bulk updates, check results, moves, deletes, cascades) keeps it exact without knowing of it.
 * The overview and the Profiles page read a few rows per profile instead of counting every user (a
 * grouped count over 100,000 users took about 20 ms on PostgreSQL). Readers sum `users` by profile and
 * state (store/profiles-repo.ts `countsByState`).
 *
 * PostgreSQL: statement-level triggers with transition tables append one row per (profile, state) a
 * statement changed, with the difference (a bulk update of 100,000 users adds a handful of rows; an update
 * that changes neither state nor profile adds none). Append only, so writers never wait for each other
 * or deadlock on a shared counter row; `countsByState` folds the rows back into one per (profile, state)
 * when they pile up. SQLite (one writer at a time, no statement-level triggers): row triggers on state or
 * profile changes add to one row per (profile, state).
 *
 * No foreign key: a deleted profile's users (the cascade) bring its sums to zero on either database,
 * whatever order the cascade runs in.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  let table = db.schema
    .createTable("profile_state_counts")
    .addColumn("profile_id", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("users", "integer", (c) => c.notNull());
  if (!pg) table = table.addPrimaryKeyConstraint("profile_state_counts_pk", ["profile_id", "state"]);
  await table.execute();
  if (pg) {
    await db.schema
      .createIndex("profile_state_counts_profile")
      .on("profile_state_counts")
      .columns(["profile_id", "state"])
      .execute();
    await sql`
      create function profile_state_counts_apply() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          insert into profile_state_counts (profile_id, state, users)
          select profile_id, state, count(*) from new_rows group by profile_id, state;
        elsif tg_op = 'DELETE' then
          insert into profile_state_counts (profile_id, state, users)
          select profile_id, state, -count(*) from old_rows group by profile_id, state;
        else
          insert into profile_state_counts (profile_id, state, users)
          select profile_id, state, sum(delta) from (
            select profile_id, state, 1 as delta from new_rows
            union all
            select profile_id, state, -1 as delta from old_rows
          ) d
          group by profile_id, state having sum(delta) <> 0;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger users_state_counts_insert after insert on users
      referencing new table as new_rows for each statement execute function profile_state_counts_apply()`.execute(
      db,
    );
    await sql`create trigger users_state_counts_update after update on users
      referencing old table as old_rows new table as new_rows
      for each statement execute function profile_state_counts_apply()`.execute(db);
    await sql`create trigger users_state_counts_delete after delete on users
      referencing old table as old_rows for each statement execute function profile_state_counts_apply()`.execute(
      db,
    );
  } else {
    const add = (row: "new" | "old", delta: 1 | -1) =>
      sql.raw(`insert into profile_state_counts (profile_id, state, users) values (${row}.profile_id, ${row}.state, ${delta})
        on conflict (profile_id, state) do update set users = users + ${delta};`);
    await sql`create trigger users_state_counts_insert after insert on users begin ${add("new", 1)} end`.execute(
      db,
    );
    await sql`create trigger users_state_counts_delete after delete on users begin ${add("old", -1)} end`.execute(
      db,
    );
    await sql`create trigger users_state_counts_update after update of state, profile_id on users
      when old.state is not new.state or old.profile_id is not new.profile_id
      begin ${add("old", -1)} ${add("new", 1)} end`.execute(db);
  }
  // After the triggers, in the same transaction on PostgreSQL (creating a trigger locks out writers of
  // `users` until the commit), so no write falls between the count and the first trigger.
  await sql`insert into profile_state_counts (profile_id, state, users)
    select profile_id, state, count(*) from users group by profile_id, state`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const op of ["insert", "update", "delete"]) {
    await sql
      .raw(`drop trigger if exists users_state_counts_${op}${isPostgres(db) ? " on users" : ""}`)
      .execute(db);
  }
  if (isPostgres(db)) await sql`drop function if exists profile_state_counts_apply()`.execute(db);
  await db.schema.dropTable("profile_state_counts").execute();
}
