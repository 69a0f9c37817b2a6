import { statesChangedBy } from "../domain/user-lifecycle";
import type { JobKindDefinition } from "./types";

/** States an activation picks up (never activated, or failed last time). */
const queued = statesChangedBy("queue");

/**
 * `activate-profile`: not-activated and error users → `pending` → `active` or `error`. A cancelled or
 * failed activation returns its pending users to the state they had before.
 */
export const activateProfile: JobKindDefinition = {
  kind: "activate-profile",
  mode: "activate",
  selectUsers: (tx, profileId) => tx.users.idsOfProfile(profileId, queued),
  onCreate: (tx, jobId) => tx.users.applyToJobItems("queue", jobId),
  onAbort: (tx, jobId) => tx.users.applyToJobItems("rollback", jobId, { unfinishedOnly: true }),
};
