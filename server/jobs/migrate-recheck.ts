import { migrationPort } from "./migrate-dry-run";
import { recheckUsers } from "./recheck-users";
import type { JobKindDefinition } from "./types";

/**
 * `migrate-recheck` (Move to Graph, after apply): re-checks, through the profile's new Graph access,
 * the users that failed the dry run. Active and error users end `active` or `error` (the recheck rule);
 * a failure within 2 hours of the role assignments says when to try again.
 */
export const migrateRecheck: JobKindDefinition = {
  kind: "migrate-recheck",
  mode: "recheck",
  selectUsers: (db, profileId, userIds) => recheckUsers.selectUsers(db, profileId, userIds),
  writeResult: (port, db, job, user, result) =>
    migrationPort(port).writeRecheckResult(db, job.id, user, result),
};
