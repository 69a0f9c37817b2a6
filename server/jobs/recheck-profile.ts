import { statesChangedBy } from "../domain/user-lifecycle";
import type { JobKindDefinition } from "./types";

/** `recheck-profile`: re-checks every active and error user of a profile (the monitor runs it too). */
export const recheckProfile: JobKindDefinition = {
  kind: "recheck-profile",
  mode: "recheck",
  async selectUsers(db, profileId) {
    const rows = await db
      .selectFrom("users")
      .select("id")
      .where("profileId", "=", profileId)
      .where("state", "in", statesChangedBy("recheck-ok"))
      .orderBy("addressLower")
      .execute();
    return rows.map((r) => r.id);
  },
};
