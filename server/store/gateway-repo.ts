import type { CompiledQuery } from "kysely";
import type { AccessType } from "../../contract/common";
import type { Db } from "./db-types";
import type { MailboxAccessRow } from "./mailbox-access-repo";

/** What one gateway call needs: the mailbox, its profile and the profile's mailbox access row (if any). */
export interface GatewayTargetRow {
  address: string;
  state: string;
  profileId: string;
  profileName: string;
  syncEnabled: number;
  maxConcurrentConnections: number;
  accessType: AccessType | null;
  accessSettings: string | null;
  accessSealedSecret: string | null;
  accessVersion: number | null;
  accessUpdatedAt: string | null;
  accessUpdatedBy: string | null;
}

interface Compiled {
  any: CompiledQuery<GatewayTargetRow>;
  inProfile: CompiledQuery<GatewayTargetRow>;
}

/** Compiled once per database: building a query costs more than running it here (SQLite). */
const compiledByDb = new WeakMap<Db, Compiled>();

function base(db: Db) {
  return db
    .selectFrom("users")
    .innerJoin("profiles", "profiles.id", "users.profileId")
    .leftJoin("mailboxAccess", "mailboxAccess.profileId", "users.profileId")
    .select([
      "users.address",
      "users.state",
      "users.profileId",
      "profiles.name as profileName",
      "profiles.syncEnabled",
      "profiles.maxConcurrentConnections",
      "mailboxAccess.type as accessType",
      "mailboxAccess.settings as accessSettings",
      "mailboxAccess.sealedSecret as accessSealedSecret",
      "mailboxAccess.version as accessVersion",
      "mailboxAccess.updatedAt as accessUpdatedAt",
      "mailboxAccess.updatedBy as accessUpdatedBy",
    ]);
}

function compiled(db: Db): Compiled {
  let found = compiledByDb.get(db);
  if (!found) {
    const any = base(db).where("users.addressLower", "=", "").compile();
    const inProfile = base(db)
      .where("users.addressLower", "=", "")
      .where("users.profileId", "=", "")
      .compile();
    found = { any, inProfile };
    compiledByDb.set(db, found);
  }
  return found;
}

/** The gateways' one lookup: the enrolled mailbox a call is for, with its profile and access row. */
export class GatewayRepository {
  constructor(private readonly db: Db) {}

  /**
   * The enrolled mailbox a gateway call is for, by address, with its profile and access row, in one
   * query; `profileId` limits it to one profile (a key bound to a profile).
   * @example const target = await repos.gateway.findTarget("jane@contoso.com", key.profileId);
   */
  async findTarget(address: string, profileId: string | null): Promise<GatewayTargetRow | undefined> {
    const { any, inProfile } = compiled(this.db);
    const query = profileId
      ? { ...inProfile, parameters: [address.toLowerCase(), profileId] }
      : { ...any, parameters: [address.toLowerCase()] };
    const { rows } = await this.db.executeQuery<GatewayTargetRow>(query);
    return rows[0];
  }

  /**
   * The enrolled mailbox whose stored Entra object id is `objectId` (the Graph gateway accepts
   * `/users/{object id}` only for mailboxes whose id the product has stored).
   * @example const target = await repos.gateway.findTargetByObjectId("0f6c...", key.profileId);
   */
  async findTargetByObjectId(
    objectId: string,
    profileId: string | null,
  ): Promise<GatewayTargetRow | undefined> {
    let query = base(this.db).where("users.entraObjectId", "=", objectId.toLowerCase());
    if (profileId) query = query.where("users.profileId", "=", profileId);
    return (await query.execute())[0];
  }
}

/** The access row of a gateway target, or undefined when the profile has none. */
export function accessRowOf(target: GatewayTargetRow): MailboxAccessRow | undefined {
  if (target.accessType === null || target.accessSettings === null || target.accessVersion === null) {
    return undefined;
  }
  return {
    profileId: target.profileId,
    type: target.accessType,
    settings: target.accessSettings,
    sealedSecret: target.accessSealedSecret,
    version: target.accessVersion,
    updatedAt: target.accessUpdatedAt ?? "",
    updatedBy: target.accessUpdatedBy ?? "",
  };
}
