import type { JobKindDefinition } from "./types";

/** `recheck-users`: re-checks the given users of the profile (ids of other profiles are ignored). */
export const recheckUsers: JobKindDefinition = {
  kind: "recheck-users",
  mode: "recheck",
  selectUsers: (tx, profileId, userIds = []) => tx.users.idsInProfile(profileId, userIds),
};
