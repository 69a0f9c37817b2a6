import { sql } from "kysely";
import type { JobKindDefinition } from "./types";
import { nowIso } from "../store/db";

/** States an activation picks up: never activated, or failed last time. */
const ACTIVATABLE = ["not-activated", "error"];

/**
 * `activate-profile`: not-activated and error users → `pending` → `active` or `error`. A cancelled or
 * failed activation returns its pending users to the state they had before.
 */
export const activateProfile: JobKindDefinition = {
  kind: "activate-profile",
  mode: "activate",
  async selectUsers(db, profileId) {
    const rows = await db
      .selectFrom("users")
      .select("id")
      .where("profileId", "=", profileId)
      .where("state", "in", ACTIVATABLE)
      .orderBy("addressLower")
      .execute();
    return rows.map((r) => r.id);
  },
  async onCreate(db, jobId) {
    await db
      .updateTable("users")
      .set({ stateBefore: sql<string>`state`, state: "pending", updatedAt: nowIso() })
      .where("id", "in", db.selectFrom("jobItems").select("userId").where("jobId", "=", jobId))
      .where("state", "in", ACTIVATABLE)
      .execute();
  },
  async onAbort(db, jobId) {
    await db
      .updateTable("users")
      .set({
        state: sql<string>`coalesce(state_before, 'not-activated')`,
        stateBefore: null,
        updatedAt: nowIso(),
      })
      .where(
        "id",
        "in",
        db.selectFrom("jobItems").select("userId").where("jobId", "=", jobId).where("state", "!=", "done"),
      )
      .where("state", "=", "pending")
      .execute();
  },
};
