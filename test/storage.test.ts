import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type Store } from "../server/store/db";
import { openTestStore, type TestStore } from "./factories/store";
import { migrations } from "../server/store/migrations";
import { ProfileRepository } from "../server/store/profiles-repo";
import { SettingsRepository } from "../server/store/settings-repo";
import { AuditRepository } from "../server/store/audit-repo";
import { UserRepository, type NewUser } from "../server/store/users-repo";
import { MeStatusRepository } from "../server/store/me-status-repo";
import { insertAuditEvents } from "./factories/audit";
import { setUserState } from "./factories/users";
import { announcePostgresSkip, testDatabases } from "./helpers/server";

announcePostgresSkip();

/** Addresses whose byte order differs from naive or locale-aware orders: digits, dots, hyphens, case. */
const ADDRESSES = [
  "Zed@x.com",
  "a.b@x.com",
  "a-b@x.com",
  "a_b@x.com",
  "A1@x.com",
  "a10@x.com",
  "a2@x.com",
  "0day@x.com",
  "émilie@x.com",
  "ZZ-top@x.com",
  "m.müller@x.com",
];
const NAMES = [
  "Zoë Ångström",
  "Ana Bê",
  "Ａｎａ Wide",
  "Jean-Luc Picard",
  "李 小龙",
  "Mary O'Brien",
  "",
  "Ørjan Ås",
  "Émilie Dubois",
  "Top ZZ",
  "Max Müller",
];

/** The order both databases must give: lower-cased address, compared as UTF-8 bytes. */
const byteOrder = (values: string[]) =>
  [...values].sort((a, b) => Buffer.compare(Buffer.from(a.toLowerCase()), Buffer.from(b.toLowerCase())));

describe.each(testDatabases())("storage on %s", (dialect) => {
  let store: Store;
  let opened: TestStore | undefined;
  let profileA: string;
  let profileB: string;
  const users = () => new UserRepository(store.db);
  const newUsers = (profileId: string, addresses: string[], names: string[] = []): NewUser[] =>
    addresses.map((address, i) => ({ id: randomUUID(), profileId, address, displayName: names[i] ?? "" }));

  beforeAll(async () => {
    opened = await openTestStore(dialect);
    store = opened.store;
    const profiles = new ProfileRepository(store.db);
    profileA = (await profiles.create({ name: "A" })).id;
    profileB = (await profiles.create({ name: "B" })).id;
    await users().insertMany(newUsers(profileA, ADDRESSES, NAMES));
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("runs every migration", async () => {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      store.db,
    );
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
  });

  it.runIf(dialect === "postgres")(
    "introspects only its own schema, so another schema's DDL can't fail its migrations",
    async () => {
      // Another store beside this one, in the middle of a migration back down (a column going away):
      // Kysely's own introspector read that schema's columns too, and failed with 42703 when the drop
      // landed during its read (CI, 2026-12-03).
      const other = await openTestStore("postgres", { poolSize: 1 });
      try {
        await sql`alter table user_words drop column address_lower`.execute(other.store.db);
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
        const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
        expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([rows[0].schema]));
        expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["users", "kysely_migration"]));
        expect(tables.find((t) => t.name === "user_words")?.columns.map((c) => c.name)).toContain(
          "address_lower",
        );
        expect((await store.db.introspection.getTables()).map((t) => t.name)).not.toContain(
          "kysely_migration",
        );
        expect(await migrateToLatest(store.db, rows[0].schema)).toEqual([]);
      } finally {
        await other.close();
      }
    },
  );

  it("keeps addresses unique across profiles, case-insensitively", async () => {
    await expect(
      store.db
        .transaction()
        .execute((trx) => new UserRepository(trx).insertMany(newUsers(profileB, ["ZED@X.COM"]))),
    ).rejects.toThrow();
    expect(await users().existingAddresses(["zed@x.com", "new@x.com"])).toEqual(new Set(["zed@x.com"]));
  });

  it("pages by keyset in byte order of the lower-cased address", async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await users().list(profileA, { limit: 3, after });
      if (page.length === 0) break;
      seen.push(...page.map((u) => u.address));
      after = page.at(-1)!.addressLower;
    }
    expect(seen).toEqual(byteOrder(ADDRESSES));
  });

  it("finds users by a prefix of the address or of a display-name word", async () => {
    const find = async (prefix: string, state?: "paused") =>
      (await users().list(profileA, { prefix, state, limit: 100 })).map((u) => u.address);
    expect(await find("a")).toEqual(
      byteOrder(["a.b@x.com", "a-b@x.com", "a_b@x.com", "A1@x.com", "a10@x.com", "a2@x.com"]),
    );
    // "a10@" before "a1@": "0" (0x30) sorts before "@" (0x40)
    expect(await find("a1")).toEqual(["a10@x.com", "A1@x.com"]);
    expect(await find("ång")).toEqual(["Zed@x.com"]);
    expect(await find("ａｎａ")).toEqual(["a-b@x.com"]);
    expect(await find("李")).toEqual(["A1@x.com"]);
    expect(await find("picard")).toEqual(["a_b@x.com"]);
    expect(await find("brien")).toEqual(["a10@x.com"]);
    expect(await find("ørj")).toEqual(["0day@x.com"]);
    expect(await find("é")).toEqual(["émilie@x.com"]);
    expect(await find("mü")).toEqual(["m.müller@x.com"]);
    expect(await find("zz")).toEqual(["ZZ-top@x.com"]);
    expect(await find("a", "paused")).toEqual([]);
  });

  it("inserts a whole import or nothing", async () => {
    const before = (await users().list(profileB, { limit: 500 })).length;
    const batch = newUsers(
      profileB,
      [...Array.from({ length: 1200 }, (_, i) => `batch${i}@y.com`), "zed@x.com"],
      ["Batch Person"],
    );
    await expect(
      store.db.transaction().execute((trx) => new UserRepository(trx).insertMany(batch)),
    ).rejects.toThrow();
    expect((await users().list(profileB, { limit: 500 })).length).toBe(before);
    expect(
      await store.db.selectFrom("userWords").select("word").where("profileId", "=", profileB).execute(),
    ).toEqual([]);
    await store.db.transaction().execute((trx) => new UserRepository(trx).insertMany(batch.slice(0, 1200)));
    expect((await users().list(profileB, { limit: 500, prefix: "batch" })).length).toBe(500);
  });

  it("pauses, resumes, moves and removes users, their words following", async () => {
    const [u] = await users().list(profileA, { prefix: "zed", limit: 1 });
    await setUserState(store, u.id, { state: "error" });
    expect(await users().pause([u.id])).toBe(1);
    expect(await users().find(u.id)).toMatchObject({ state: "paused", stateBefore: "error" });
    expect(await users().resume([u.id])).toBe(1);
    expect(await users().find(u.id)).toMatchObject({ state: "error", stateBefore: null });
    expect(await users().moveTo([u.id], profileB)).toBe(1);
    expect((await users().list(profileB, { prefix: "ångström", limit: 5 })).map((r) => r.id)).toEqual([u.id]);
    expect(await users().list(profileA, { prefix: "ångström", limit: 5 })).toEqual([]);
    expect(await users().remove([u.id])).toBe(1);
    expect(
      await store.db.selectFrom("userWords").select("word").where("userId", "=", u.id).execute(),
    ).toEqual([]);
  });

  it("rewrites search words when a display name changes", async () => {
    const [u] = await users().list(profileA, { prefix: "müller", limit: 1 });
    await store.db
      .transaction()
      .execute((trx) =>
        new UserRepository(trx).updateDisplayNames([{ id: u.id, displayName: "Maxine Schulz" }]),
      );
    expect(await users().list(profileA, { prefix: "müller", limit: 5 })).toEqual([]);
    expect(
      (await users().list(profileA, { prefix: "schulz", limit: 5 })).map((r) => [r.id, r.displayName]),
    ).toEqual([[u.id, "Maxine Schulz"]]);
  });

  it("stores settings as JSON and pages audit events newest first", async () => {
    const settings = new SettingsRepository(store.db);
    await settings.put({ monitorIntervalMinutes: 5 });
    await settings.put({ monitorIntervalMinutes: 7, alertWebhookUrl: null });
    expect(await settings.all()).toEqual({ monitorIntervalMinutes: 7, alertWebhookUrl: null });
    for (const action of ["one", "two", "three"]) {
      await insertAuditEvents(store, [
        {
          at: new Date().toISOString(),
          actor: "t",
          action,
          profileId: profileA,
          target: null,
          before: null,
          after: null,
        },
      ]);
    }
    const audit = new AuditRepository(store.db);
    const first = await audit.list({ profileIds: [profileA], limit: 2 });
    expect(first.map((e) => e.action)).toEqual(["three", "two"]);
    expect(
      (await audit.list({ profileIds: [profileA], limit: 2, beforeId: first[1].id })).map((e) => e.action),
    ).toEqual(["one"]);
    expect(await audit.list({ profileIds: [], limit: 2 })).toEqual([]);
  });

  it("finds several people's mailboxes by object id in one query, and none for unknown ids", async () => {
    const rows = await store.db
      .selectFrom("users")
      .select(["id", "addressLower"])
      .where("profileId", "=", profileA)
      .orderBy("addressLower")
      .limit(3)
      .execute();
    const oids = rows.map((_, i) => `00000000-0000-4000-8000-00000000010${i}`);
    for (const [i, row] of rows.entries()) await new MeStatusRepository(store.db).link(row.id, oids[i]);
    const repo = new MeStatusRepository(store.db);
    const found = await repo.findByObjectIds([
      oids[2],
      "00000000-0000-4000-8000-999999999999",
      oids[0],
      oids[1],
    ]);
    expect(new Map(found.map((r) => [r.entraObjectId, r.address.toLowerCase()]))).toEqual(
      new Map(rows.map((r, i) => [oids[i], r.addressLower])),
    );
    expect(found.every((r) => r.profileName === "A" && r.profileId === profileA)).toBe(true);
    expect(await repo.findByObjectIds(["00000000-0000-4000-8000-999999999999", "x"])).toEqual([]);
    expect((await repo.findByObjectIds([oids[1]])).map((r) => r.id)).toEqual([rows[1].id]);
    // A quote or JSON in an id is only a value (SQLite reads the ids from a JSON array).
    expect(await repo.findByObjectIds([`"]`, `'); drop table users; --`])).toEqual([]);
  });
});
