import { sql, type Kysely } from "kysely";
import type { UserState } from "../../contract/common";
import { isoNow as nowIso } from "../domain/clock";
import { lifecycleUpdate } from "./user-lifecycle-sql";
import { INITIAL_STATE } from "../domain/user-lifecycle";
import { isPostgres } from "./dialect";
import { PROBLEM_STATES } from "./problems-repo";
import { stalledUserWhere } from "./stalled-repo";
import type { CheckHistoryTable, Database, UserTable } from "./schema";

export type UserRow = UserTable;

/** A new user's row: `not-activated`, every optional column empty, created and updated `now`. */
export function newUserRow(u: NewUser, now: string): UserRow {
  return {
    id: u.id,
    profileId: u.profileId,
    address: u.address,
    addressLower: u.address.toLowerCase(),
    displayName: u.displayName,
    state: INITIAL_STATE,
    stateBefore: null,
    mailboxKind: null,
    lastCheckedAt: null,
    lastError: null,
    entraObjectId: null,
    lastSyncAt: null,
    syncErrors: null,
    failureCause: null,
    syncCause: null,
    failureSince: null,
    failureSeenAt: null,
    primaryAddress: null,
    activeSince: null,
    createdAt: now,
    updatedAt: now,
  };
}
export type CheckHistoryRow = CheckHistoryTable & { id: number };

/** A user to insert: the rest of the row is filled in. */
export interface NewUser {
  id: string;
  profileId: string;
  address: string;
  displayName: string;
}

/** The few columns bulk actions need to authorize and decide. */
export interface UserRef {
  id: string;
  profileId: string;
  address: string;
  state: string;
}

export interface ListUsersOptions {
  state?: UserState;
  /** A problem group: users failing for this cause (not paused or pending). */
  cause?: string;
  /** Only stalled mailboxes, for this cutoff (the caller checked the profile's half of the rule). */
  stalledCutoff?: string;
  /** Lower-cased prefix of the address or of a display-name word. */
  prefix?: string;
  /** Lower-cased address of the last row of the previous page. */
  after?: string;
  limit: number;
}

/** The greatest code point: `p <= x < p || MAX` holds exactly for the strings x starting with p, in byte order. */
const MAX_CODE_POINT = "\u{10FFFF}";

// Parameters per statement stay well under SQLite's 32,766 and PostgreSQL's 65,535.
const USER_ROWS_PER_INSERT = 500;
const WORD_ROWS_PER_INSERT = 2000;
const IDS_PER_QUERY = 1000;
const PG_ROWS_PER_UNNEST = 10_000;

/** Splits a display name into the lower-cased words the prefix search matches. */
export function displayNameWords(displayName: string): string[] {
  const words = displayName
    .normalize("NFC")
    .toLowerCase()
    .split(/[\s\p{P}\p{S}]+/u)
    .filter(Boolean);
  return [...new Set(words)].filter((w) => w.length <= 200);
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * Users (mailboxes to sync) and their display-name words: the only SQL about them.
 * Lists are sorted by lower-cased address in byte order (the column is `COLLATE "C"` on PostgreSQL)
 * and paged by keyset, so both databases give the same pages.
 */
export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** One page of a profile's users, `limit` rows after `after`. */
  list(profileId: string, options: ListUsersOptions): Promise<UserRow[]> {
    if (!options.prefix) {
      // Walks (profile_id, address_lower) or (profile_id, state, address_lower) in order: no sort, stops at `limit`.
      let q = this.usersWhere(profileId, options);
      if (options.after !== undefined) q = q.where("addressLower", ">", options.after);
      return q.orderBy("addressLower").limit(options.limit).execute();
    }
    const low = options.prefix;
    const high = low + MAX_CODE_POINT;
    const { after, state, cause, stalledCutoff, limit } = options;
    // The matching addresses come from two range scans, the address index (profile_id, address_lower) and
    // the word index (profile_id, word, address_lower), read without the rows; only these narrow keys are
    // deduplicated and sorted, and users are fetched by their unique address for the page alone, in key
    // order, so neither database sorts rows or reads the rest of the profile. EXPLAIN ANALYZE for `mar` in a
    // profile of 10,000: PostgreSQL, the two cut sides (101 index entries; 740 word entries, top-N sort),
    // HashAggregate of 202 keys, 101 LATERAL index lookups, 0.5–0.9 ms; SQLite, MERGE (UNION) of the two
    // covering-index searches, then one index search per row of the page.
    let byAddress = this.db
      .selectFrom("users")
      .select("addressLower")
      .where("profileId", "=", profileId)
      .where("addressLower", ">=", low)
      .where("addressLower", "<", high);
    let byWord = this.db
      .selectFrom("userWords")
      .select("addressLower")
      .where("profileId", "=", profileId)
      .where("word", ">=", low)
      .where("word", "<", high);
    if (after !== undefined) {
      byAddress = byAddress.where("addressLower", ">", after);
      byWord = byWord.where("addressLower", ">", after);
    }
    // Without a state, cause or stalled filter every match is on the page, so the page is cut from the keys
    // before any user is read. On PostgreSQL each side is cut first (a key among the union's first `limit` is
    // among its own side's first `limit`): the address side stops after `limit` index entries, and 2 × `limit`
    // keys are deduplicated instead of every match (1,480 for `mar` in a profile of 10,000). SQLite's MERGE
    // (UNION) already stops at the page, and the cut sides only added sorts there.
    const filtered = Boolean(state || cause || stalledCutoff);
    const pg = isPostgres(this.db);
    if (pg && !filtered) {
      byAddress = byAddress.orderBy("addressLower").limit(limit);
      // A user with two matching words has two rows here: the page needs `limit` distinct keys.
      byWord = byWord.distinct().orderBy("addressLower").limit(limit);
    }
    // Each side is a subquery: neither database takes ORDER BY or LIMIT on a member of a UNION.
    const matches = this.db
      .selectFrom(byAddress.as("a"))
      .select("a.addressLower")
      .union(this.db.selectFrom(byWord.as("w")).select("w.addressLower"));
    const sorted = matches.orderBy("addressLower");
    const keys = (filtered ? sorted : sorted.limit(limit)).as("m");
    // Each key finds its user by the unique (profile_id, address_lower), in key order. SQLite: CROSS JOIN keeps
    // the join order (the keys drive). PostgreSQL: a LATERAL lookup with LIMIT 1 is a nested loop whatever the
    // statistics say; a plain join became a hash join over a sequential scan of the whole profile once one
    // profile held most of the table (10,000 of 10,000 users, after VACUUM ANALYZE: 2.7 ms against 0.5 ms).
    const page = pg
      ? this.db
          .selectFrom(keys)
          .innerJoinLateral(
            this.usersWhere(profileId, options)
              .where("addressLower", "=", sql.ref<string>("m.addressLower"))
              .limit(1)
              .as("u"),
            (join) => join.onTrue(),
          )
      : this.db
          .selectFrom(keys)
          .crossJoin(this.usersWhere(profileId, options).as("u"))
          .whereRef("u.addressLower", "=", "m.addressLower");
    return page.selectAll("u").orderBy("m.addressLower").limit(limit).execute();
  }

  /** A profile's users, narrowed by the list's state, failure cause and stalled filters. */
  private usersWhere(profileId: string, { state, cause, stalledCutoff }: ListUsersOptions) {
    let q = this.db.selectFrom("users").selectAll().where("profileId", "=", profileId);
    if (state) q = q.where("state", "=", state);
    // Walks the partial index users_failure (profile_id, failure_cause, address_lower) in order.
    if (cause) q = q.where("failureCause", "=", cause).where("state", "in", [...PROBLEM_STATES]);
    if (stalledCutoff) q = q.where((eb) => stalledUserWhere(eb, stalledCutoff));
    return q;
  }

  find(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The users with these ids that exist (unknown ids are simply absent). */
  async refs(ids: readonly string[]): Promise<UserRef[]> {
    const result: UserRef[] = [];
    for (const part of chunks([...new Set(ids)], IDS_PER_QUERY)) {
      result.push(
        ...(await this.db
          .selectFrom("users")
          .select(["id", "profileId", "address", "state"])
          .where("id", "in", part)
          .execute()),
      );
    }
    return result;
  }

  /** Which of these lower-cased addresses exist already, in any profile. */
  async existingAddresses(addressesLower: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks(addressesLower, IDS_PER_QUERY)) {
      const rows = await this.db
        .selectFrom("users")
        .select("addressLower")
        .where("addressLower", "in", part)
        .execute();
      for (const row of rows) found.add(row.addressLower);
    }
    return found;
  }

  /**
   * Inserts users as `not-activated`, with their display-name words, in multi-row statements.
   * Call it inside a transaction: a failure part-way must leave nothing behind.
   */
  async insertMany(users: readonly NewUser[]): Promise<void> {
    const now = nowIso();
    const rows: UserRow[] = users.map((u) => newUserRow(u, now));
    const words = users.flatMap((u) => {
      const addressLower = u.address.toLowerCase();
      return displayNameWords(u.displayName).map((word) => ({
        userId: u.id,
        profileId: u.profileId,
        word,
        addressLower,
      }));
    });
    if (isPostgres(this.db)) {
      // One array per column and `unnest`: a handful of parameters instead of 15 per row, about 4× faster.
      for (const part of chunks(rows, PG_ROWS_PER_UNNEST)) {
        const col = <K extends keyof UserRow>(k: K) => part.map((r) => r[k]);
        await sql`insert into users (id, profile_id, address, address_lower, display_name, state, created_at, updated_at)
          select * from unnest(${col("id")}::text[], ${col("profileId")}::text[], ${col("address")}::text[], ${col("addressLower")}::text[],
            ${col("displayName")}::text[], ${col("state")}::text[], ${col("createdAt")}::text[], ${col("updatedAt")}::text[])`.execute(
          this.db,
        );
      }
      for (const part of chunks(words, PG_ROWS_PER_UNNEST)) {
        await sql`insert into user_words (user_id, profile_id, word, address_lower)
          select * from unnest(${part.map((w) => w.userId)}::text[], ${part.map((w) => w.profileId)}::text[], ${part.map((w) => w.word)}::text[],
            ${part.map((w) => w.addressLower)}::text[])`.execute(this.db);
      }
      return;
    }
    for (const part of chunks(rows, USER_ROWS_PER_INSERT)) {
      await this.db.insertInto("users").values(part).execute();
    }
    for (const part of chunks(words, WORD_ROWS_PER_INSERT)) {
      await this.db.insertInto("userWords").values(part).execute();
    }
  }

  /**
   * Changes display names and rewrites their search words (e.g. when a check resolves a mailbox's name).
   * Call it inside a transaction so a name and its words never disagree.
   */
  async updateDisplayNames(changes: readonly { id: string; displayName: string }[]): Promise<void> {
    const now = nowIso();
    for (const part of chunks(changes, IDS_PER_QUERY)) {
      const ids = part.map((c) => c.id);
      const owners = await this.db
        .selectFrom("users")
        .select(["id", "profileId", "addressLower"])
        .where("id", "in", ids)
        .execute();
      const ownerOf = new Map(owners.map((o) => [o.id, o]));
      for (const change of part) {
        await this.db
          .updateTable("users")
          .set({ displayName: change.displayName, updatedAt: now })
          .where("id", "=", change.id)
          .execute();
      }
      await this.db.deleteFrom("userWords").where("userId", "in", ids).execute();
      const words = part.flatMap((c) => {
        const owner = ownerOf.get(c.id);
        return owner
          ? displayNameWords(c.displayName).map((word) => ({
              userId: c.id,
              profileId: owner.profileId,
              word,
              addressLower: owner.addressLower,
            }))
          : [];
      });
      for (const batch of chunks(words, WORD_ROWS_PER_INSERT)) {
        await this.db.insertInto("userWords").values(batch).execute();
      }
    }
  }

  /**
   * Marks every user of a profile as changed now (its protocol or access type changed), so sync
   * services polling the roster with `updatedSince` see each of them again.
   */
  async touchProfile(profileId: string): Promise<void> {
    await this.db
      .updateTable("users")
      .set({ updatedAt: nowIso() })
      .where("profileId", "=", profileId)
      .execute();
  }

  /** Moves users (and their words) to another profile; they start over as `not-activated` (paused stay paused). */
  async moveTo(ids: readonly string[], profileId: string): Promise<number> {
    let count = 0;
    const now = nowIso();
    for (const part of chunks(ids, IDS_PER_QUERY)) {
      const result = await this.db
        .updateTable("users")
        .set({
          profileId,
          ...lifecycleUpdate("move").set,
          updatedAt: now,
        })
        .where("id", "in", part)
        .executeTakeFirst();
      count += Number(result.numUpdatedRows);
      await this.db.updateTable("userWords").set({ profileId }).where("userId", "in", part).execute();
    }
    return count;
  }

  /**
   * Leaves a tombstone for every user of the profile (the roster tells the sync service these mailboxes
   * are gone); call before the profile is deleted, in the same transaction.
   */
  async tombstoneProfile(profileId: string): Promise<void> {
    const removedAt = nowIso();
    await this.db
      .insertInto("mailboxTombstones")
      .columns(["addressLower", "profileId", "removedAt"])
      .expression((eb) =>
        eb
          .selectFrom("users")
          .select(["addressLower", "profileId", eb.val(removedAt).as("removedAt")])
          .where("profileId", "=", profileId),
      )
      .execute();
  }

  /** Deletes users; their words and check history go with them (foreign keys cascade). */
  async remove(ids: readonly string[]): Promise<number> {
    let count = 0;
    for (const part of chunks(ids, IDS_PER_QUERY)) {
      const result = await this.db.deleteFrom("users").where("id", "in", part).executeTakeFirst();
      count += Number(result.numDeletedRows);
    }
    return count;
  }

  /** Pauses users, remembering each one's state in `stateBefore`. Already paused users are left alone. */
  async pause(ids: readonly string[]): Promise<number> {
    const pause = lifecycleUpdate("pause");
    let count = 0;
    const now = nowIso();
    for (const part of chunks(ids, IDS_PER_QUERY)) {
      const result = await this.db
        .updateTable("users")
        .set({ ...pause.set, updatedAt: now })
        .where("id", "in", part)
        .where("state", "in", pause.states)
        .executeTakeFirst();
      count += Number(result.numUpdatedRows);
    }
    return count;
  }

  /** Resumes paused users to the state they had before the pause (`not-activated` when unknown). */
  async resume(ids: readonly string[]): Promise<number> {
    const resume = lifecycleUpdate("resume");
    let count = 0;
    const now = nowIso();
    for (const part of chunks(ids, IDS_PER_QUERY)) {
      const result = await this.db
        .updateTable("users")
        .set({
          ...resume.set,
          // Back to active: stalled sync counts from now (server/domain/stalled.ts).
          activeSince: sql<
            string | null
          >`case when state_before = 'active' then ${now} else active_since end`,
          updatedAt: now,
        })
        .where("id", "in", part)
        .where("state", "in", resume.states)
        .executeTakeFirst();
      count += Number(result.numUpdatedRows);
    }
    return count;
  }

  /** Ids of the profile's users, by address; only those in `states` when given (a job's selection). */
  async idsOfProfile(profileId: string, states?: readonly UserState[]): Promise<string[]> {
    let q = this.db.selectFrom("users").select("id").where("profileId", "=", profileId);
    if (states) q = q.where("state", "in", states);
    const rows = await q.orderBy("addressLower").execute();
    return rows.map((r) => r.id);
  }

  /** Which of `ids` belong to the profile (duplicates once), by address within each 500 asked. */
  async idsInProfile(profileId: string, ids: readonly string[]): Promise<string[]> {
    const found: string[] = [];
    for (const part of chunks([...new Set(ids)], 500)) {
      const rows = await this.db
        .selectFrom("users")
        .select("id")
        .where("profileId", "=", profileId)
        .where("id", "in", part)
        .orderBy("addressLower")
        .execute();
      found.push(...rows.map((r) => r.id));
    }
    return found;
  }

  /**
   * Applies a lifecycle event (activation's `queue` or `rollback`) to the users of a job's items, set-based;
   * `unfinishedOnly`: only items without a result.
   */
  async applyToJobItems(
    event: "queue" | "rollback",
    jobId: string,
    options: { unfinishedOnly?: boolean } = {},
  ): Promise<void> {
    const update = lifecycleUpdate(event);
    let items = this.db.selectFrom("jobItems").select("userId").where("jobId", "=", jobId);
    if (options.unfinishedOnly) items = items.where("state", "!=", "done");
    await this.db
      .updateTable("users")
      .set({ ...update.set, updatedAt: nowIso() })
      .where("id", "in", items)
      .where("state", "in", update.states)
      .execute();
  }

  /** The latest checks of a user, newest first. */
  checkHistory(userId: string, limit: number): Promise<CheckHistoryRow[]> {
    return this.db
      .selectFrom("checkHistory")
      .selectAll()
      .where("userId", "=", userId)
      .orderBy("checkedAt", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute() as Promise<CheckHistoryRow[]>;
  }

  /** A page of users across the given profiles (all when omitted), by address: the CSV export walks these. */
  async exportPage(
    profileIds: readonly string[] | undefined,
    after: string | undefined,
    limit: number,
  ): Promise<UserRow[]> {
    // An empty IN list is invalid SQL; a NUL placeholder is invalid text on PostgreSQL.
    if (profileIds?.length === 0) return [];
    let q = this.db.selectFrom("users").selectAll();
    if (profileIds) q = q.where("profileId", "in", [...profileIds]);
    if (after !== undefined) q = q.where("addressLower", ">", after);
    return q.orderBy("addressLower").limit(limit).execute();
  }
}
