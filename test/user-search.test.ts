import { randomUUID } from "node:crypto";
import { Migrator, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserState } from "../contract/common";
import type { Store } from "../server/store/db";
import { openTestStore, type TestStore } from "./factories/store";
import { migrations } from "../server/store/migrations";
import { ProfileRepository } from "../server/store/profiles-repo";
import {
  displayNameWords,
  UserRepository,
  type ListUsersOptions,
  type NewUser,
} from "../server/store/users-repo";
import { PROBLEM_STATES } from "../server/store/problems-repo";
import { setUsersState } from "./factories/users";
import { announcePostgresSkip, testDatabases } from "./helpers/server";

announcePostgresSkip();

/** A small deterministic PRNG (mulberry32): the same cases on every run and on both databases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Few letters, so that prefixes are shared by many users, words and addresses; non-ASCII and case too.
const LETTERS = ["a", "b", "m", "A", "M", "é", "É", "ø", "ß", "z", "0", "1", ".", "-", "_"];
const NAME_WORDS = [
  "Mar",
  "Marta",
  "mark",
  "Ana",
  "Åsa",
  "ÉMILE",
  "Zoë",
  "Smith",
  "O'Brien",
  "Ma-Li",
  "马",
  "",
];
const STATES: UserState[] = ["not-activated", "active", "error", "paused", "pending"];
const CAUSES = ["mailbox-alias", "mailbox-missing"];
const STALL_CUTOFF = "2026-11-15T00:00:00.000Z";

/** Byte order of UTF-8, as both databases compare `address_lower` and words. */
const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe.each(testDatabases())("user list search on %s", (dialect) => {
  let store: Store;
  let opened: TestStore | undefined;
  const repo = () => new UserRepository(store.db);

  beforeAll(async () => {
    opened = await openTestStore(dialect);
    store = opened.store;
  });
  afterAll(async () => {
    await opened?.close();
  });

  /** What `list` must answer, computed the slow way from the users table alone. */
  async function naive(profileId: string, options: ListUsersOptions): Promise<string[]> {
    const rows = await store.db.selectFrom("users").selectAll().where("profileId", "=", profileId).execute();
    const prefix = options.prefix ?? "";
    return rows
      .filter(
        (u) =>
          (!options.state || u.state === options.state) &&
          (!options.cause || (u.failureCause === options.cause && PROBLEM_STATES.includes(u.state))) &&
          (!options.stalledCutoff ||
            (u.state === "active" &&
              (u.lastSyncAt === null || u.lastSyncAt < options.stalledCutoff) &&
              (u.activeSince === null || u.activeSince < options.stalledCutoff))) &&
          (options.after === undefined || byteCompare(u.addressLower, options.after) > 0) &&
          (u.addressLower.startsWith(prefix) ||
            displayNameWords(u.displayName).some((w) => w.startsWith(prefix))),
      )
      .map((u) => u.addressLower)
      .sort(byteCompare)
      .slice(0, options.limit);
  }

  it("answers every search, state and cursor as a naive filter does, through adds, renames, moves and removals", async () => {
    const random = prng(23);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const word = () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(LETTERS)).join("");
    const name = () =>
      Array.from({ length: Math.floor(random() * 4) }, () =>
        random() < 0.7 ? pick(NAME_WORDS) : word(),
      ).join(pick([" ", " ", "-", ", "]));
    const profiles = new ProfileRepository(store.db);
    const profileIds = [
      (await profiles.create({ name: "P1" })).id,
      (await profiles.create({ name: "P2" })).id,
    ];
    const used = new Set<string>();
    const users: NewUser[] = [];
    while (users.length < 400) {
      const address = `${word()}${pick(["", ".", "-"])}${word()}@${pick(["x.com", "Y.org"])}`;
      if (used.has(address.toLowerCase())) continue;
      used.add(address.toLowerCase());
      users.push({ id: randomUUID(), profileId: pick(profileIds), address, displayName: name() });
    }
    await store.db.transaction().execute((trx) => new UserRepository(trx).insertMany(users));
    for (const state of STATES) {
      const ids = users.filter(() => random() < 0.2).map((u) => u.id);
      await setUsersState(store, ids, { state });
    }
    // Failure causes on some users in every state, and report and activation times around the stall cutoff.
    const times = [null, "2026-11-01T00:00:00.000Z", STALL_CUTOFF, "2026-12-01T00:00:00.000Z"];
    for (const u of users) {
      await store.db
        .updateTable("users")
        .set({
          failureCause: random() < 0.3 ? pick(CAUSES) : null,
          lastSyncAt: pick(times),
          activeSince: pick(times),
        })
        .where("id", "=", u.id)
        .execute();
    }
    // Every write path that keeps the words in step.
    await store.db
      .transaction()
      .execute((trx) =>
        new UserRepository(trx).updateDisplayNames(
          users.filter(() => random() < 0.15).map((u) => ({ id: u.id, displayName: name() })),
        ),
      );
    await repo().moveTo(
      users.filter((u) => u.profileId === profileIds[0] && random() < 0.15).map((u) => u.id),
      profileIds[1],
    );
    await repo().remove(users.filter(() => random() < 0.1).map((u) => u.id));

    // Prefixes: of words and of addresses as they are, of single letters, and ones that match nothing.
    const prefixes = new Set<string>([
      "a",
      "m",
      "mar",
      "é",
      "ø",
      "ß",
      "0",
      ".",
      "-",
      "ma-li",
      "o'b",
      "nobody",
    ]);
    for (const u of users.slice(0, 40)) {
      const lower = u.address.toLowerCase();
      prefixes.add(lower.slice(0, 1 + Math.floor(random() * lower.length)));
      for (const w of displayNameWords(u.displayName)) {
        prefixes.add(w.slice(0, 1 + Math.floor(random() * w.length)));
      }
    }
    let compared = 0;
    for (const profileId of profileIds) {
      for (const prefix of prefixes) {
        // No filter half the time, else one of the list's filters (the Problems page adds a cause or stalled).
        const filter = random();
        const filters: Pick<ListUsersOptions, "state" | "cause" | "stalledCutoff"> =
          filter < 0.5
            ? {}
            : filter < 0.75
              ? { state: pick(STATES) }
              : filter < 0.9
                ? { cause: pick(CAUSES) }
                : { stalledCutoff: STALL_CUTOFF };
        const limit = pick([2, 5, 50]);
        // Walk every page by keyset; each page must equal the naive filter after the same cursor.
        let after: string | undefined;
        for (let page = 0; page < 20; page++) {
          const options: ListUsersOptions = { prefix, ...filters, after, limit };
          const got = (await repo().list(profileId, options)).map((u) => u.addressLower);
          expect(got, JSON.stringify(options)).toEqual(await naive(profileId, options));
          compared++;
          if (got.length < limit) break;
          after = got.at(-1);
        }
      }
    }
    expect(compared).toBeGreaterThan(200);
    // The words carry their user's address and profile, whatever wrote them.
    const stray = await store.db
      .selectFrom("userWords as w")
      .innerJoin("users as u", "u.id", "w.userId")
      .select("w.userId")
      .where((eb) =>
        eb.or([
          eb("w.addressLower", "!=", eb.ref("u.addressLower")),
          eb("w.profileId", "!=", eb.ref("u.profileId")),
        ]),
      )
      .execute();
    expect(stray).toEqual([]);
  });

  it("fills the words' addresses of users stored before the migration, and migrates back down", async () => {
    const migrator = new Migrator({
      db: store.db,
      provider: { getMigrations: () => Promise.resolve(migrations) },
    });
    const names = Object.keys(migrations).sort();
    const mine = "20261203T123000-user-words-address";
    const before = names[names.indexOf(mine) - 1];
    // The profile first: the repository writes today's columns. Then down to the migration before,
    // undoing any later one.
    const profileId = (await new ProfileRepository(store.db).create({ name: "Old" })).id;
    const down = await migrator.migrateTo(before);
    expect(down.error).toBeUndefined();
    const now = new Date().toISOString();
    const old = [
      { id: randomUUID(), address: "Marta.Old@x.com", words: ["marta", "old"] },
      { id: randomUUID(), address: "ana.old@x.com", words: ["ana", "marlow"] },
    ];
    for (const u of old) {
      await sql`insert into users (id, profile_id, address, address_lower, display_name, state, created_at, updated_at)
        values (${u.id}, ${profileId}, ${u.address}, ${u.address.toLowerCase()}, ${u.words.join(" ")}, 'active', ${now}, ${now})`.execute(
        store.db,
      );
      for (const w of u.words) {
        await sql`insert into user_words (user_id, profile_id, word) values (${u.id}, ${profileId}, ${w})`.execute(
          store.db,
        );
      }
    }
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(
      await store.db
        .selectFrom("userWords")
        .select(["word", "addressLower"])
        .where("profileId", "=", profileId)
        .orderBy("word")
        .execute(),
    ).toEqual([
      { word: "ana", addressLower: "ana.old@x.com" },
      { word: "marlow", addressLower: "ana.old@x.com" },
      { word: "marta", addressLower: "marta.old@x.com" },
      { word: "old", addressLower: "marta.old@x.com" },
    ]);
    expect((await repo().list(profileId, { prefix: "mar", limit: 10 })).map((u) => u.address)).toEqual([
      "ana.old@x.com",
      "Marta.Old@x.com",
    ]);
  });
});
