import { sql } from "kysely";
import type { AccessType, MailboxKind, UserState } from "../../contract/common";
import type { RosterMailbox } from "../../contract/sync";
import { validationFailed } from "../errors";
import type { Db } from "../store/db";
import { GRAPH_GATEWAY_PATH } from "./graph-links";

interface Cursor {
  /** updatedAt of the last row */
  u: string;
  /** address of the last row */
  k: string;
  /** whether removed mailboxes are listed (only when the caller asked for changes since a time) */
  t: boolean;
}

const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");
function decode(cursor: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString()) as Cursor;
    if (typeof c.u === "string" && typeof c.k === "string" && typeof c.t === "boolean") return c;
  } catch {
    // fall through
  }
  throw validationFailed("cursor: must be the nextCursor of an earlier page", [
    { path: "cursor", message: "not a cursor this server made" },
  ]);
}

/** Which gateway serves a mailbox of this access type, and its URL for the mailbox. */
function gatewayOf(r: RosterRow, baseUrl: string): Pick<RosterMailbox, "protocol" | "gatewayUrl"> {
  if (r.accessType === null) return { protocol: null, gatewayUrl: null };
  const address = encodeURIComponent(r.address);
  return r.accessType === "graph-app-only"
    ? { protocol: "graph", gatewayUrl: `${baseUrl}${GRAPH_GATEWAY_PATH}/v1.0/users/${address}` }
    : { protocol: "ews", gatewayUrl: `${baseUrl}/api/v1/sync/mailboxes/${address}/ews` };
}

interface RosterRow {
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

/**
 * The roster the sync service polls: every mailbox ordered by (updatedAt, address), so
 * `updatedSince` + cursor gives each change once. Removed mailboxes appear as `removed` when asking for changes.
 * @example const page = await listRoster(db, { profileId: null, limit: 500, updatedSince: "2026-11-26T00:00:00Z" });
 */
export async function listRoster(
  db: Db,
  options: {
    profileId: string | null;
    limit: number;
    updatedSince?: string;
    cursor?: string;
    /** The public URL the gateway URLs are built on (BASE_URL). */
    baseUrl?: string;
  },
): Promise<{ data: RosterMailbox[]; nextCursor: string | null }> {
  const cursor = options.cursor ? decode(options.cursor) : undefined;
  const since = options.updatedSince ? new Date(options.updatedSince).toISOString() : undefined;
  const withTombstones = cursor ? cursor.t : since !== undefined;
  const after = cursor ?? (since ? { u: since, k: "", t: withTombstones } : undefined);

  let users = db
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
      "users.state",
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
  if (withTombstones) {
    let tombstones = db
      .selectFrom("mailboxTombstones")
      .leftJoin("profiles", "profiles.id", "mailboxTombstones.profileId")
      .select([
        "mailboxTombstones.addressLower as k",
        "mailboxTombstones.addressLower as address",
        sql<string>`''`.as("displayName"),
        "mailboxTombstones.profileId",
        "profiles.name as profileName",
        "profiles.syncEnabled",
        sql<string | null>`null`.as("accessType"),
        sql<string | null>`null`.as("mailboxKind"),
        sql<string>`'removed'`.as("state"),
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
  const rows = (await query
    .orderBy("updatedAt")
    .orderBy("k")
    .limit(options.limit + 1)
    .execute()) as RosterRow[];
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => ({
      address: r.address,
      displayName: r.displayName,
      profileId: r.profileId,
      profileName: r.profileName ?? "",
      accessType: r.accessType as AccessType | null,
      ...gatewayOf(r, options.baseUrl ?? ""),
      mailboxKind: r.mailboxKind as MailboxKind | null,
      state: r.state as UserState | "removed",
      syncAllowed: r.state === "active" && r.syncEnabled === 1,
      updatedAt: r.updatedAt,
    })),
    nextCursor:
      rows.length > options.limit && last
        ? encode({ u: last.updatedAt, k: last.k, t: withTombstones })
        : null,
  };
}
