import { sql } from "kysely";
import type { AccessType, UserState } from "../../contract/common";
import type { Db } from "./db-types";

/** One line of the roster: an enrolled mailbox, or (when asked for changes) a removed one. */
export interface RosterRow {
  /** addressLower: the order's second key */
  k: string;
  address: string;
  displayName: string;
  profileId: string;
  profileName: string | null;
  syncEnabled: number | null;
  accessType: string | null;
  mailboxKind: string | null;
  state: string;
  updatedAt: string;
}

/** SQL of the roster the sync service polls: mailboxes and tombstones in (updatedAt, address) order. */
export class RosterRepository {
  constructor(private readonly db: Db) {}

  /**
   * Up to `limit` lines after `after` (updatedAt, addressLower), in that order; removed mailboxes too
   * when `withTombstones`.
   * @example await repos.roster.page({ profileId: null, limit: 501, withTombstones: false });
   */
  async page(options: {
    profileId: string | null;
    limit: number;
    after?: { u: string; k: string };
    withTombstones: boolean;
  }): Promise<RosterRow[]> {
    const { after } = options;
    let users = this.db
      .selectFrom("users")
      .leftJoin("profiles", "profiles.id", "users.profileId")
      .leftJoin("mailboxAccess", "mailboxAccess.profileId", "users.profileId")
      .select([
        "users.addressLower as k",
        "users.address",
        "users.displayName",
        "users.profileId",
        "profiles.name as profileName",
        "profiles.syncEnabled",
        "mailboxAccess.type as accessType",
        "users.mailboxKind",
        // Widened: the roster's tombstones answer "removed" in the same column.
        (eb) => eb.ref("users.state").$castTo<UserState | "removed">().as("state"),
        // aliased, so ORDER BY names the output column and not profiles.updated_at (SQLite calls that ambiguous)
        "users.updatedAt as updatedAt",
      ]);
    if (options.profileId) users = users.where("users.profileId", "=", options.profileId);
    if (after) {
      users = users.where((eb) =>
        eb(eb.refTuple("users.updatedAt", "users.addressLower"), ">", eb.tuple(after.u, after.k)),
      );
    }

    let query = users;
    if (options.withTombstones) {
      let tombstones = this.db
        .selectFrom("mailboxTombstones")
        .leftJoin("profiles", "profiles.id", "mailboxTombstones.profileId")
        .select([
          "mailboxTombstones.addressLower as k",
          "mailboxTombstones.addressLower as address",
          sql<string>`''`.as("displayName"),
          "mailboxTombstones.profileId",
          "profiles.name as profileName",
          "profiles.syncEnabled",
          sql<AccessType | null>`null`.as("accessType"),
          sql<string | null>`null`.as("mailboxKind"),
          sql<UserState | "removed">`'removed'`.as("state"),
          "mailboxTombstones.removedAt as updatedAt",
        ]);
      if (options.profileId) {
        tombstones = tombstones.where("mailboxTombstones.profileId", "=", options.profileId);
      }
      if (after) {
        tombstones = tombstones.where((eb) =>
          eb(
            eb.refTuple("mailboxTombstones.removedAt", "mailboxTombstones.addressLower"),
            ">",
            eb.tuple(after.u, after.k),
          ),
        );
      }
      query = users.unionAll(tombstones);
    }
    return query.orderBy("updatedAt").orderBy("k").limit(options.limit).execute();
  }
}
