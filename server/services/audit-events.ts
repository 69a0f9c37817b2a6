import type { AuditEvent, ListAuditQuery } from "../../contract/audit";
import type { Principal } from "../auth/principal";
import type { AuditEventRow } from "../store/audit-repo";
import type { StoreAccess } from "../store/unit-of-work";
import { parseJson } from "../store/json";
import type { ProfileService } from "./profiles";

/** The fields an audit event response carries. */
export function presentAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action,
    profileId: row.profileId,
    target: row.target,
    before: parseJson<unknown>(row.before, "raw"),
    after: parseJson<unknown>(row.after, "raw"),
  };
}

/** Reading the audit log: platform admins see everything, profile admins their profiles' events. */
export class AuditEventService {
  constructor(
    private readonly store: StoreAccess,
    private readonly profiles: ProfileService,
  ) {}

  async list(
    principal: Principal,
    query: ListAuditQuery,
  ): Promise<{ data: AuditEvent[]; nextCursor: string | null }> {
    let profileIds: string[] | undefined;
    if (query.profileId) {
      await this.profiles.authorize(principal, query.profileId);
      profileIds = [query.profileId];
    } else {
      profileIds = await this.profiles.visibleIds(principal);
    }
    const rows = await this.store.repos.audit.list({
      profileIds,
      beforeId: query.cursor === undefined ? undefined : Number(query.cursor),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      data: page.map(presentAuditEvent),
      nextCursor: rows.length > query.limit ? String(page.at(-1)!.id) : null,
    };
  }
}
