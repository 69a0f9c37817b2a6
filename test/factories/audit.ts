import type { Selectable } from "kysely";
import type { AuditEventTable } from "../../server/store/schema";
import { dbOf, type StoreHolder } from "./store";

/** Which audit events a reader returns (all given must hold). */
export interface AuditFilter {
  action?: string;
  /** A SQL `like` pattern on the action, e.g. "profile.alert.%". */
  actionLike?: string;
  profileId?: string;
  target?: string;
}

/**
 * Audit events as stored, oldest first (by id).
 * @example expect(await auditEvents(s.ctx, { action: "settings.update" })).toHaveLength(1);
 */
export async function auditEvents(
  holder: StoreHolder,
  filter: AuditFilter = {},
): Promise<Selectable<AuditEventTable>[]> {
  let q = dbOf(holder).selectFrom("auditEvents").selectAll();
  if (filter.action !== undefined) q = q.where("action", "=", filter.action);
  if (filter.actionLike !== undefined) q = q.where("action", "like", filter.actionLike);
  if (filter.profileId !== undefined) q = q.where("profileId", "=", filter.profileId);
  if (filter.target !== undefined) q = q.where("target", "=", filter.target);
  return q.orderBy("id").execute();
}

/**
 * Inserts audit events as written at `at` (e.g. older than the retention).
 * @example await insertAuditEvents(h, [{ at: old, actor: "x", action: "old" }]);
 */
export async function insertAuditEvents(
  holder: StoreHolder,
  events: {
    at: string;
    actor: string;
    action: string;
    profileId?: string | null;
    target?: string | null;
    before?: string | null;
    after?: string | null;
  }[],
): Promise<void> {
  await dbOf(holder).insertInto("auditEvents").values(events).execute();
}
