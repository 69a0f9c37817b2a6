import type { Selectable } from "kysely";
import type { ServiceKeyTable, SyncSessionTable } from "../../server/store/schema";
import { dbOf, type StoreHolder } from "./store";

/** Every stored service key row (hashes and prefixes; to look for the key itself in them). */
export async function serviceKeyRows(holder: StoreHolder): Promise<Selectable<ServiceKeyTable>[]> {
  return dbOf(holder).selectFrom("serviceKeys").selectAll().execute();
}

/** The sync session reported last (by `finishedAt`), or undefined when none was. */
export async function lastSyncSession(
  holder: StoreHolder,
): Promise<Selectable<SyncSessionTable> | undefined> {
  return dbOf(holder).selectFrom("syncSessions").selectAll().orderBy("finishedAt", "desc").executeTakeFirst();
}

/** How many sync sessions are stored. */
export async function countSyncSessions(holder: StoreHolder): Promise<number> {
  const { n } = await dbOf(holder)
    .selectFrom("syncSessions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(n);
}
