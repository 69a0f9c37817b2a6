import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userStates, type UserState } from "../../contract/common";
import { openTestStore, type TestStore } from "../../test/factories/store";
import { announcePostgresSkip, testDatabases } from "../../test/helpers/server";
import { LIFECYCLE, transition, type LifecycleEvent, type UserLifecycle } from "../domain/user-lifecycle";
import { nowIso, type Store } from "./db";
import { ProfileRepository } from "./profiles-repo";
import { lifecycleUpdate } from "./user-lifecycle-sql";

announcePostgresSkip();

const events = Object.keys(LIFECYCLE) as LifecycleEvent[];
const befores: (UserState | null)[] = [null, ...userStates];
/** Every (state, stateBefore) a row can hold. */
const everyRow: UserLifecycle[] = userStates.flatMap((state) =>
  befores.map((stateBefore) => ({ state, stateBefore })),
);

describe.each(testDatabases())("user lifecycle SQL on %s", (dialect) => {
  let store: Store;
  let opened: TestStore | undefined;
  let profileId: string;

  beforeAll(async () => {
    opened = await openTestStore(dialect, { poolSize: 2 });
    store = opened.store;
    profileId = (await new ProfileRepository(store.db).create({ name: "Lifecycle" })).id;
  });
  afterAll(async () => {
    await opened?.close();
  });

  /** Inserts the rows, applies the events one by one with the generated SQL, answers the rows after. */
  async function runSql(rows: readonly UserLifecycle[], sequence: readonly LifecycleEvent[]) {
    const ids = rows.map(() => randomUUID());
    const now = nowIso();
    await store.db.deleteFrom("users").execute();
    await store.db
      .insertInto("users")
      .values(
        rows.map((r, i) => ({
          id: ids[i],
          profileId,
          address: `u${i}@lifecycle.test`,
          addressLower: `u${i}@lifecycle.test`,
          displayName: "",
          state: r.state,
          stateBefore: r.stateBefore,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .execute();
    const changed: number[] = [];
    for (const event of sequence) {
      const update = lifecycleUpdate(event);
      const result = await store.db
        .updateTable("users")
        .set(update.set)
        .where("id", "in", ids)
        .where("state", "in", update.states)
        .executeTakeFirst();
      changed.push(Number(result.numUpdatedRows));
    }
    const after = await store.db.selectFrom("users").select(["id", "state", "stateBefore"]).execute();
    const byId = new Map(after.map((r) => [r.id, { state: r.state, stateBefore: r.stateBefore }]));
    return { rows: ids.map((id) => byId.get(id)), changed };
  }

  /** The same through the per-user function. */
  function runModel(rows: readonly UserLifecycle[], sequence: readonly LifecycleEvent[]) {
    let current = [...rows];
    const changed: number[] = [];
    for (const event of sequence) {
      let n = 0;
      current = current.map((row) => {
        const next = transition(event, row);
        if (next) n++;
        return next ?? row;
      });
      changed.push(n);
    }
    return { rows: current, changed };
  }

  it.each(events)("%s gives every (state, stateBefore) the per-user result", async (event) => {
    expect(await runSql(everyRow, [event])).toEqual(runModel(everyRow, [event]));
  });

  it("agrees with the per-user function over random rows and event sequences", async () => {
    const row = fc.record({
      state: fc.constantFrom(...userStates),
      stateBefore: fc.constantFrom(...befores),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom(...events), { minLength: 1, maxLength: 6 }),
        async (rows, sequence) => {
          expect(await runSql(rows, sequence)).toEqual(runModel(rows, sequence));
        },
      ),
      { numRuns: 60 },
    );
  });
});
