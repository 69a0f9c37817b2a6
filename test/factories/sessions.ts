import type { Insertable, Selectable } from "kysely";
import type { LocalAdminTable, SessionTable } from "../../server/store/schema";
import { dbOf, type StoreHolder } from "./store";

/** The newest session row (the last sign-in's); throws when there is none. */
export async function newestSession(holder: StoreHolder): Promise<Selectable<SessionTable>> {
  return dbOf(holder)
    .selectFrom("sessions")
    .selectAll()
    .orderBy("createdAt", "desc")
    .executeTakeFirstOrThrow();
}

/** The session with this id hash: one row, or none when it has ended. */
export async function sessionRows(holder: StoreHolder, idHash: string): Promise<Selectable<SessionTable>[]> {
  return dbOf(holder).selectFrom("sessions").selectAll().where("idHash", "=", idHash).execute();
}

/**
 * Backdates a session: when it was created, last seen and when it expires.
 * @example await backdateSession(s.ctx, idHash, { createdAt, lastSeenAt, expiresAt });
 */
export async function backdateSession(
  holder: StoreHolder,
  idHash: string,
  values: { createdAt: string; lastSeenAt: string; expiresAt: string },
): Promise<void> {
  await dbOf(holder).updateTable("sessions").set(values).where("idHash", "=", idHash).execute();
}

/**
 * Inserts a local admin and sessions of theirs as given (e.g. expired ones, for the retention).
 * @example await insertAdminSessions(h, admin, [{ idHash: "live", createdAt, lastSeenAt, expiresAt }]);
 */
export async function insertAdminSessions(
  holder: StoreHolder,
  admin: Insertable<LocalAdminTable>,
  sessions: Omit<Insertable<SessionTable>, "adminId">[],
): Promise<void> {
  await dbOf(holder).insertInto("localAdmins").values(admin).execute();
  if (sessions.length) {
    await dbOf(holder)
      .insertInto("sessions")
      .values(sessions.map((session) => ({ ...session, adminId: admin.id })))
      .execute();
  }
}

/** Every session row (to see which ones a purge kept). */
export async function allSessions(holder: StoreHolder): Promise<Selectable<SessionTable>[]> {
  return dbOf(holder).selectFrom("sessions").selectAll().execute();
}
