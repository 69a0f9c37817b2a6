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
  selectUsers: (tx, profileId, userIds) => recheckUsers.selectUsers(tx, profileId, userIds),
  writeResult: (port, tx, job, user, result) =>
    migrationPort(port).writeRecheckResult(tx, job.id, user, result),
};
