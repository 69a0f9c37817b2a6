import { sql, type Kysely } from "kysely";
import type { FailureCause } from "../../contract/problems";
import type { UserState } from "../../contract/common";
import { isoNow as nowIso } from "../domain/clock";
import type { Database } from "./schema";

/** The states whose failures count as problems: a paused user is set aside, a pending one is being checked. */
export const PROBLEM_STATES: readonly UserState[] = ["active", "error", "not-activated"];

/** Failing users of one cause in one profile: count and when first and last seen. */
export interface CauseCount {
  profileId: string;
  cause: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

/** A failing user as a problem group lists it. */
export interface ProblemUserRow {
  id: string;
  address: string;
  addressLower: string;
  displayName: string;
  profileId: string;
  state: string;
  lastError: string | null;
  syncErrors: string | null;
  failureCause: string;
  primaryAddress: string | null;
  failureSince: string | null;
  failureSeenAt: string | null;
}

/** The few columns a bulk action on a group needs. */
export interface ProblemTarget {
  id: string;
  profileId: string;
  address: string;
  addressLower: string;
  state: string;
  primaryAddress: string | null;
}

const IDS_PER_QUERY = 1000;

/**
 * The SQL of the Problems view: failing users grouped by `failure_cause` (written when a check or a sync
 * report is stored), all from the partial index `users_failure`, and the bulk actions' writes.
 */
export class ProblemRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Counts per (profile, cause) over the given profiles (undefined = all). */
  async counts(profileIds: readonly string[] | undefined): Promise<CauseCount[]> {
    if (profileIds?.length === 0) return [];
    let q = this.db
      .selectFrom("users")
      .select((eb) => [
        "profileId",
        sql<string>`failure_cause`.as("cause"),
        eb.fn.countAll<number | string>().as("count"),
        eb.fn.min("failureSince").as("firstSeen"),
        eb.fn.max("failureSeenAt").as("lastSeen"),
      ])
      .where("failureCause", "is not", null)
      .where("state", "in", [...PROBLEM_STATES]);
    if (profileIds) q = q.where("profileId", "in", [...profileIds]);
    const rows = await q.groupBy(["profileId", "failureCause"]).execute();
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /** The first `perCause` users (by address) of each cause, over the given profiles (undefined = all). */
  async firstUsers(
    profileIds: readonly string[] | undefined,
    causes: readonly string[],
    perCause: number,
  ): Promise<ProblemUserRow[]> {
    if (profileIds?.length === 0 || causes.length === 0) return [];
    let inner = this.db
      .selectFrom("users")
      .select([
        "id",
        "address",
        "addressLower",
        "displayName",
        "profileId",
        "state",
        "lastError",
        "syncErrors",
        "primaryAddress",
        "failureSince",
        "failureSeenAt",
        sql<string>`failure_cause`.as("failureCause"),
        sql<number>`row_number() over (partition by failure_cause order by address_lower)`.as("rn"),
      ])
      .where("failureCause", "in", [...causes])
      .where("state", "in", [...PROBLEM_STATES]);
    if (profileIds) inner = inner.where("profileId", "in", [...profileIds]);
    const rows = await this.db
      .selectFrom(inner.as("p"))
      .selectAll()
      .where("rn", "<=", perCause)
      .orderBy("failureCause")
      .orderBy("addressLower")
      .execute();
    return rows.map(({ rn: _rn, ...r }) => r);
  }

  /** Every user of a cause in these profiles (the targets of a bulk action). */
  async targets(profileIds: readonly string[], cause: string): Promise<ProblemTarget[]> {
    if (profileIds.length === 0) return [];
    return this.db
      .selectFrom("users")
      .select(["id", "profileId", "address", "addressLower", "state", "primaryAddress"])
      .where("profileId", "in", [...profileIds])
      .where("failureCause", "=", cause)
      .where("state", "in", [...PROBLEM_STATES])
      .orderBy("addressLower")
      .execute();
  }

  /**
   * Stores the cause of a sync report's errors (null: a clean session). The user's cause follows it
   * unless a failed check holds it (`last_error` set).
   */
  async setSyncCause(userId: string, cause: FailureCause | null, at: string): Promise<void> {
    await this.db
      .updateTable("users")
      .set({
        syncCause: cause,
        failureCause: sql<
          string | null
        >`case when last_error is not null then failure_cause else ${cause} end`,
        failureSince: sql<string | null>`case when last_error is not null then failure_since
          when cast(${cause} as text) is null then null
          when failure_cause = ${cause} and failure_since is not null then failure_since else ${at} end`,
        failureSeenAt: sql<string | null>`case when last_error is not null then failure_seen_at
          when cast(${cause} as text) is null then null else ${at} end`,
      })
      .where("id", "=", userId)
      .execute();
  }

  /** Which of these lower-cased addresses are enrolled in any profile. */
  async enrolled(addressesLower: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < addressesLower.length; i += IDS_PER_QUERY) {
      const rows = await this.db
        .selectFrom("users")
        .select("addressLower")
        .where("addressLower", "in", addressesLower.slice(i, i + IDS_PER_QUERY))
        .execute();
      for (const r of rows) found.add(r.addressLower);
    }
    return found;
  }

  /**
   * Replaces a user's address by its primary address: the failure is cleared (the next check tells), the
   * row's `updated_at` moves so roster pollers see the new address, and the old address gets a tombstone
   * so they stop syncing it. Call inside a transaction.
   */
  async replaceAddress(
    user: { id: string; profileId: string; addressLower: string },
    to: string,
  ): Promise<void> {
    const now = nowIso();
    await this.db
      .updateTable("users")
      .set({
        address: to,
        addressLower: to.toLowerCase(),
        lastError: null,
        failureCause: null,
        failureSince: null,
        failureSeenAt: null,
        primaryAddress: null,
        syncErrors: null,
        syncCause: null,
        updatedAt: now,
      })
      .where("id", "=", user.id)
      .execute();
    // The word index keeps each user's address, so a search by name finds the new one in order.
    await this.db
      .updateTable("userWords")
      .set({ addressLower: to.toLowerCase() })
      .where("userId", "=", user.id)
      .execute();
    await this.db
      .insertInto("mailboxTombstones")
      .values({ addressLower: user.addressLower, profileId: user.profileId, removedAt: now })
      .execute();
  }
}
