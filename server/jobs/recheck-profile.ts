import { statesChangedBy } from "../domain/user-lifecycle";
import type { JobKindDefinition } from "./types";

/** `recheck-profile`: re-checks every active and error user of a profile (the monitor runs it too). */
export const recheckProfile: JobKindDefinition = {
  kind: "recheck-profile",
  mode: "recheck",
  selectUsers: (tx, profileId) => tx.users.idsOfProfile(profileId, statesChangedBy("recheck-ok")),
};
