import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userStates, type UserState } from "../../contract/common";
import { openTestStore, type TestStore } from "../../test/factories/store";
import { announcePostgresSkip, testDatabases } from "../../test/helpers/server";
import type { Store } from "./db";
import { ProfileRepository, type StateCounts } from "./profiles-repo";
import { UserRepository } from "./users-repo";

announcePostgresSkip();

/** A write to `users`, as the product's writers do them (multi-row where they are). */
type Write =
  | { kind: "insert"; profile: number; n: number }
  | { kind: "set-state"; fromProfile: number; state: UserState; every: number }
  | { kind: "move"; fromProfile: number; toProfile: number; every: number }
  | { kind: "touch"; profile: number }
  | { kind: "delete"; profile: number; every: number };

const profileIndex = fc.integer({ min: 0, max: 2 });
const write: fc.Arbitrary<Write> = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    profile: profileIndex,
    n: fc.integer({ min: 1, max: 7 }),
  }),
  fc.record({
    kind: fc.constant("set-state" as const),
    fromProfile: profileIndex,
    state: fc.constantFrom(...userStates),
    every: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant("move" as const),
    fromProfile: profileIndex,
    toProfile: profileIndex,
    every: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant("touch" as const), profile: profileIndex }),
  fc.record({
    kind: fc.constant("delete" as const),
    profile: profileIndex,
    every: fc.integer({ min: 1, max: 4 }),
  }),
);

describe.each(testDatabases())("profile_state_counts on %s", (dialect) => {
  let store: Store;
  let opened: TestStore | undefined;

  beforeAll(async () => {
    opened = await openTestStore(dialect);
    store = opened.store;
  });
  afterAll(async () => {
    await opened?.close();
  });

  /** Users by state per profile, counted from `users` itself. */
  async function counted(): Promise<Map<string, StateCounts>> {
    const rows = await store.db
      .selectFrom("users")
      .select(["profileId", "state", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy(["profileId", "state"])
      .execute();
    const result = new Map<string, StateCounts>();
    for (const r of rows) {
      const counts =
        result.get(r.profileId) ?? (Object.fromEntries(userStates.map((s) => [s, 0])) as StateCounts);
      counts[r.state] = Number(r.n);
      result.set(r.profileId, counts);
    }
    return result;
  }

  /** The kept counts of the profiles `users` has rows for, and that every other kept row is zero. */
  async function kept(profileIds: readonly string[]): Promise<Map<string, StateCounts>> {
    const all = await new ProfileRepository(store.db).countsByState([...profileIds]);
    for (const [id, counts] of all) {
      if (Object.values(counts).every((n) => n === 0)) all.delete(id);
    }
    return all;
  }

  async function apply(profileIds: readonly string[], w: Write): Promise<void> {
    const db = store.db;
    const idsOf = async (profileId: string, every: number) =>
      (await db.selectFrom("users").select("id").where("profileId", "=", profileId).orderBy("id").execute())
        .map((r) => r.id)
        .filter((_, i) => i % every === 0);
    switch (w.kind) {
      case "insert":
        await db.transaction().execute((trx) =>
          new UserRepository(trx).insertMany(
            Array.from({ length: w.n }, () => {
              const id = randomUUID();
              return {
                id,
                profileId: profileIds[w.profile],
                address: `${id}@contoso.com`,
                displayName: "U",
              };
            }),
          ),
        );
        return;
      case "set-state": {
        const ids = await idsOf(profileIds[w.fromProfile], w.every);
        if (ids.length) {
          await db.updateTable("users").set({ state: w.state }).where("id", "in", ids).execute();
        }
        return;
      }
      case "move": {
        const ids = await idsOf(profileIds[w.fromProfile], w.every);
        if (ids.length) await new UserRepository(db).moveTo(ids, profileIds[w.toProfile]);
        return;
      }
      case "touch":
        await new UserRepository(db).touchProfile(profileIds[w.profile]);
        return;
      case "delete": {
        const ids = await idsOf(profileIds[w.profile], w.every);
        if (ids.length) await new UserRepository(db).remove(ids);
        return;
      }
    }
  }

  it("agree with a count of `users` after any sequence of inserts, state changes, moves and deletes", async () => {
    const profiles = new ProfileRepository(store.db);
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), async (writes) => {
        const ids = await Promise.all(
          [0, 1, 2].map(async () => (await profiles.create({ name: randomUUID() })).id),
        );
        for (const w of writes) await apply(ids, w);
        const expected = new Map([...(await counted())].filter(([id]) => ids.includes(id)));
        expect(await kept(ids)).toEqual(expected);
        await profiles.foldStateCounts();
        expect(await kept(ids)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it("folds appended differences into one row per profile and state (PostgreSQL), the sums unchanged", async () => {
    const profiles = new ProfileRepository(store.db);
    const { id } = await profiles.create({ name: "Fold" });
    await apply([id], { kind: "insert", profile: 0, n: 6 });
    for (const state of ["active", "error", "active", "paused", "active"] as const) {
      await apply([id], { kind: "set-state", fromProfile: 0, state, every: 2 });
    }
    const before = await kept([id]);
    await profiles.foldStateCounts();
    const rows = await store.db
      .selectFrom("profileStateCounts")
      .selectAll()
      .where("profileId", "=", id)
      .execute();
    // SQLite keeps its rows at zero; PostgreSQL's fold drops them.
    const nonZero = rows.filter((r) => Number(r.users) !== 0);
    expect(nonZero.map((r) => [r.state, Number(r.users)]).sort()).toEqual([
      ["active", 3],
      ["not-activated", 3],
    ]);
    expect(await kept([id])).toEqual(before);
  });

  it("a deleted profile's users (a cascade) bring its counts to zero", async () => {
    const profiles = new ProfileRepository(store.db);
    const { id } = await profiles.create({ name: "Cascade" });
    await apply([id], { kind: "insert", profile: 0, n: 5 });
    expect((await profiles.countsByState([id])).get(id)?.["not-activated"]).toBe(5);
    await profiles.remove(id);
    expect(await kept([id])).toEqual(new Map());
  });

  it("concurrent writers to the same profile keep the counts exact", async () => {
    const profiles = new ProfileRepository(store.db);
    const { id } = await profiles.create({ name: "Concurrent" });
    await apply([id], { kind: "insert", profile: 0, n: 40 });
    const ids = (await store.db.selectFrom("users").select("id").where("profileId", "=", id).execute()).map(
      (r) => r.id,
    );
    // Each writer moves its own users through two states in one transaction, in opposite orders.
    await Promise.all(
      [0, 1, 2, 3].map((w) =>
        store.db.transaction().execute(async (trx) => {
          const mine = ids.filter((_, i) => i % 4 === w);
          const [first, second]: UserState[] = w % 2 ? ["active", "error"] : ["error", "active"];
          await trx.updateTable("users").set({ state: first }).where("id", "in", mine.slice(0, 5)).execute();
          await trx.updateTable("users").set({ state: second }).where("id", "in", mine.slice(5)).execute();
        }),
      ),
    );
    expect((await kept([id])).get(id)).toEqual((await counted()).get(id));
  });
});
