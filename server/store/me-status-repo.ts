import { sql, type CompiledQuery, type Kysely } from "kysely";
import type { Database } from "./schema";
import { isoNow as nowIso } from "../domain/clock";
import { isPostgres } from "./dialect";

/** A user's row with what the status view needs from its profile and mailbox access. */
export interface MailboxStatusRow {
  id: string;
  profileId: string;
  address: string;
  displayName: string;
  state: string;
  lastCheckedAt: string | null;
  lastError: string | null;
  lastSyncAt: string | null;
  syncErrors: string | null;
  entraObjectId: string | null;
  profileName: string;
  profileSyncEnabled: number;
  profileAlert: string | null;
  accessType: string | null;
}

type CompiledCache = WeakMap<Kysely<Database>, CompiledQuery<MailboxStatusRow>>;

/** The hot queries compiled once per database: building one each time cost 4× running it (SQLite, Nov 2026). */
const compiledByObjectId: CompiledCache = new WeakMap();
const compiledByObjectIds: CompiledCache = new WeakMap();

function compiledOnce(
  cache: CompiledCache,
  db: Kysely<Database>,
  build: () => CompiledQuery<MailboxStatusRow>,
): CompiledQuery<MailboxStatusRow> {
  let compiled = cache.get(db);
  if (!compiled) {
    compiled = build();
    cache.set(db, compiled);
  }
  return compiled;
}

/** The end user's own mailbox: the only SQL behind `GET /me/status`. */
export class MeStatusRepository {
  /** Whether lookups run side by side (PostgreSQL's pool); on SQLite queries never overlap. */
  readonly queriesOverlap: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.queriesOverlap = isPostgres(db);
  }

  private base() {
    return this.db
      .selectFrom("users")
      .innerJoin("profiles", "profiles.id", "users.profileId")
      .leftJoin("mailboxAccess", "mailboxAccess.profileId", "users.profileId")
      .select([
        "users.id",
        "users.profileId",
        "users.address",
        "users.displayName",
        "users.state",
        "users.lastCheckedAt",
        "users.lastError",
        "users.lastSyncAt",
        "users.syncErrors",
        "users.entraObjectId",
        "profiles.name as profileName",
        "profiles.syncEnabled as profileSyncEnabled",
        "profiles.alert as profileAlert",
        "mailboxAccess.type as accessType",
      ]);
  }

  /** The hot path: one query on the `users_entra_object_id` index. */
  async findByObjectId(oid: string): Promise<MailboxStatusRow | undefined> {
    const compiled = compiledOnce(compiledByObjectId, this.db, () =>
      this.base().where("users.entraObjectId", "=", oid).compile(),
    );
    const { rows } = await this.db.executeQuery<MailboxStatusRow>({ ...compiled, parameters: [oid] });
    return rows[0];
  }

  /**
   * Several people's mailboxes in one query, one SQL text whatever their number (a PostgreSQL array;
   * a JSON array on SQLite): what `/me/status` lookups coalesced under load ask for.
   */
  async findByObjectIds(oids: string[]): Promise<MailboxStatusRow[]> {
    if (oids.length === 1) {
      const row = await this.findByObjectId(oids[0]);
      return row ? [row] : [];
    }
    const pg = isPostgres(this.db);
    const compiled = compiledOnce(compiledByObjectIds, this.db, () =>
      (pg
        ? this.base().where("users.entraObjectId", "=", sql<string>`any(${[]})`)
        : this.base().where("users.entraObjectId", "in", sql<string>`(select value from json_each(${"[]"}))`)
      ).compile(),
    );
    const { rows } = await this.db.executeQuery<MailboxStatusRow>({
      ...compiled,
      parameters: [pg ? oids : JSON.stringify(oids)],
    });
    return rows;
  }

  /** First sign-in only: by the unique lower-cased address. */
  findByAddress(address: string): Promise<MailboxStatusRow | undefined> {
    return this.base().where("users.addressLower", "=", address.toLowerCase()).executeTakeFirst();
  }

  /** Links a mailbox to an Entra object id unless it is already linked; true when this call linked it. */
  async link(userId: string, oid: string): Promise<boolean> {
    const result = await this.db
      .updateTable("users")
      .set({ entraObjectId: oid, updatedAt: nowIso() })
      .where("id", "=", userId)
      .where("entraObjectId", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
