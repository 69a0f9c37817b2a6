import type { Kysely } from "kysely";
import type { AuditEventTable, Database } from "./schema";

export type AuditEventRow = Omit<AuditEventTable, "id"> & { id: number };

export interface ListAuditOptions {
  /** Only these profiles' events; undefined = every event (platform admins). */
  profileIds?: readonly string[];
  /** Events with an id below this one (the previous page's last). */
  beforeId?: number;
  limit: number;
}

/** Audit events: the only SQL about them (services/audit.ts's recordAudit writes through `insert`). */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends one event (call it inside the change's transaction). */
  async insert(row: Omit<AuditEventTable, "id">): Promise<void> {
    await this.db.insertInto("auditEvents").values(row).execute();
  }

  /** Newest first, paged by id. */
  async list(options: ListAuditOptions): Promise<AuditEventRow[]> {
    if (options.profileIds?.length === 0) return [];
    let q = this.db.selectFrom("auditEvents").selectAll();
    if (options.profileIds) q = q.where("profileId", "in", [...options.profileIds]);
    if (options.beforeId !== undefined) q = q.where("id", "<", options.beforeId);
    return await q.orderBy("id", "desc").limit(options.limit).execute();
  }

  /** Deletes events older than the given ISO time (retention); returns how many. */
  async deleteBefore(at: string): Promise<number> {
    const result = await this.db.deleteFrom("auditEvents").where("at", "<", at).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
