import type { AccessType } from "../../contract/common";
import type { Profile, ProfileAlert } from "../../contract/profiles";
import { emptyCounts, type ProfileRow, type StateCounts } from "../store/profiles-repo";

/** The fields a profile response carries, and nothing else. */
export function presentProfile(
  row: ProfileRow,
  counts: StateCounts | undefined,
  accessType: AccessType | null,
  ewsEndsOn: string | null = null,
): Profile {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    syncEnabled: row.syncEnabled === 1,
    maxConcurrentConnections: row.maxConcurrentConnections,
    accessType,
    ewsEndsOn,
    counts: counts ?? emptyCounts(),
    alert: row.alert ? (JSON.parse(row.alert) as ProfileAlert) : null,
    stalledAfterHours: row.stalledAfterHours,
    stalledAlertPercent: row.stalledAlertPercent,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
