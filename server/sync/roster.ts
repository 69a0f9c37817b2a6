import type { AccessType, MailboxKind, UserState } from "../../contract/common";
import type { RosterMailbox } from "../../contract/sync";
import { validationFailed } from "../errors";
import type { RosterRow } from "../store/roster-repo";
import type { StoreAccess } from "../store/unit-of-work";
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

/**
 * The roster the sync service polls: every mailbox ordered by (updatedAt, address), so
 * `updatedSince` + cursor gives each change once. Removed mailboxes appear as `removed` when asking for changes.
 * @example const page = await listRoster(store, { profileId: null, limit: 500, updatedSince: "2026-11-26T00:00:00Z" });
 */
export async function listRoster(
  store: StoreAccess,
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

  const rows = await store.repos.roster.page({
    profileId: options.profileId,
    limit: options.limit + 1,
    after,
    withTombstones,
  });
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
