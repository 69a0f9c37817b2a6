import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { UserState } from "../../contract/common";
import type { UserTable, UserWordTable } from "../../server/store/schema";
import { newUserRow } from "../../server/store/users-repo";
import { dbOf, type StoreHolder } from "./store";

type UserRecord = Selectable<UserTable>;
/** Columns a fixture may set on users (ids and addresses stay as they were added). */
export type UserFixture = Partial<Omit<UserTable, "id" | "profileId" | "address" | "addressLower">>;

/** A full users row with every optional column empty. */
function fullUserRow(profileId: string, address: string, now: string, values: Partial<UserTable>): UserTable {
  return { ...newUserRow({ id: randomUUID(), profileId, address, displayName: address }, now), ...values };
}

/** Inserts rows 500 at a time (SQLite's and PostgreSQL's parameter limits). */
async function insertRows(holder: StoreHolder, rows: UserTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await dbOf(holder)
      .insertInto("users")
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

/**
 * Inserts users straight into the store (for tests that need many users in a given state fast); their
 * addresses are `<prefix><00000..>@<domain>`.
 * @example await insertUsers(s.ctx, profileId, 3, { state: "active" });
 */
export async function insertUsers(
  holder: StoreHolder,
  profileId: string,
  count: number,
  overrides: Partial<UserTable> & { domain?: string; prefix?: string } = {},
): Promise<UserTable[]> {
  const { domain = "contoso.com", prefix = "user", ...rest } = overrides;
  const now = new Date().toISOString();
  const rows = Array.from({ length: count }, (_, i) => {
    const address = `${prefix}${String(i).padStart(5, "0")}@${domain}`;
    return fullUserRow(profileId, address, now, { displayName: `User ${i}`, ...rest });
  });
  await insertRows(holder, rows);
  return rows;
}

/**
 * Inserts users with these addresses (display name = address), ids from `idOf` when given.
 * @example await insertUsersAt(s.ctx, profileId, ["a@contoso.com"], { state: "active", mailboxKind: "user" });
 */
export async function insertUsersAt(
  holder: StoreHolder,
  profileId: string,
  addresses: string[],
  values: Partial<Omit<UserTable, "id">> & { idOf?: (index: number) => string } = {},
): Promise<UserTable[]> {
  const { idOf, ...rest } = values;
  const now = new Date().toISOString();
  const rows = addresses.map((address, i) =>
    fullUserRow(profileId, address, now, { ...rest, ...(idOf ? { id: idOf(i) } : {}) }),
  );
  await insertRows(holder, rows);
  return rows;
}

/**
 * Sets a user's state and check columns as a check or an admin's action would have left them.
 * @example await setUserState(s.ctx, userId, { state: "error", lastError: JSON.stringify({ code: "x" }) });
 */
export async function setUserState(holder: StoreHolder, userId: string, values: UserFixture): Promise<void> {
  await dbOf(holder).updateTable("users").set(values).where("id", "=", userId).execute();
}

/** {@link setUserState} for the user with this address (any case). */
export async function setUserStateByAddress(
  holder: StoreHolder,
  address: string,
  values: UserFixture,
): Promise<void> {
  await dbOf(holder)
    .updateTable("users")
    .set(values)
    .where("addressLower", "=", address.toLowerCase())
    .execute();
}

/** {@link setUserState} for several users at once; every user when `userIds` is "all". */
export async function setUsersState(
  holder: StoreHolder,
  userIds: readonly string[] | "all",
  values: UserFixture,
): Promise<void> {
  if (userIds !== "all" && userIds.length === 0) return;
  let update = dbOf(holder).updateTable("users").set(values);
  if (userIds !== "all") update = update.where("id", "in", userIds);
  await update.execute();
}

/** Which users a reader returns: by id, address (lower-cased), profile or state (all given must hold). */
export interface UserFilter {
  id?: string;
  addressLower?: string;
  profileId?: string;
  state?: UserState;
  /** Users in none of these states. */
  stateNotIn?: readonly UserState[];
}

/**
 * Users rows as stored (every column), in no particular order.
 * @example const [user] = await userRows(s.ctx, { addressLower: "ana@contoso.com" });
 */
export async function userRows(holder: StoreHolder, filter: UserFilter = {}): Promise<UserRecord[]> {
  let q = dbOf(holder).selectFrom("users").selectAll();
  if (filter.id !== undefined) q = q.where("id", "=", filter.id);
  if (filter.addressLower !== undefined) q = q.where("addressLower", "=", filter.addressLower);
  if (filter.profileId !== undefined) q = q.where("profileId", "=", filter.profileId);
  if (filter.state !== undefined) q = q.where("state", "=", filter.state);
  if (filter.stateNotIn?.length) q = q.where("state", "not in", filter.stateNotIn);
  return q.execute();
}

/** The one user matching `filter`; throws when there is none. */
export async function userRow(holder: StoreHolder, filter: UserFilter): Promise<UserRecord> {
  const [row] = await userRows(holder, filter);
  if (!row) throw new Error(`no user matches ${JSON.stringify(filter)}`);
  return row;
}

/** How many users the store holds. */
export async function countUsers(holder: StoreHolder): Promise<number> {
  const { n } = await dbOf(holder)
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Search words stored for a user or a profile (user_words rows). */
export async function userWords(
  holder: StoreHolder,
  filter: { userId?: string; profileId?: string },
): Promise<Selectable<UserWordTable>[]> {
  let q = dbOf(holder).selectFrom("userWords").selectAll();
  if (filter.userId !== undefined) q = q.where("userId", "=", filter.userId);
  if (filter.profileId !== undefined) q = q.where("profileId", "=", filter.profileId);
  return q.execute();
}

/** {@link setUserState} for every user of a profile. */
export async function setProfileUsersState(
  holder: StoreHolder,
  profileId: string,
  values: UserFixture,
): Promise<void> {
  await dbOf(holder).updateTable("users").set(values).where("profileId", "=", profileId).execute();
}
