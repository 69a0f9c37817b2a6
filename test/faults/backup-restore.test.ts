/**
 * Backups restore into a working server (docs/OPERATIONS.md, "Backups and restore"): SQLite with
 * `VACUUM INTO` taken while the server runs (a consistent copy of a live WAL database), PostgreSQL
 * with `pg_dump -Fc` + `pg_restore` into another database (when the tools and TEST_DATABASE_URL are
 * there). The restored server, with the same SECRET_KEY, reads the same profiles, users and audit
 * events, and opens the sealed password (a check against the simulator works).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../../server/ews-simulator";
import { mailboxAddresses } from "../../server/jobs/testing/factories";
import { sqliteIntegrityCheck, sqliteVacuumInto } from "../factories/sqlite";
import { freshSchema, startTestServer, type TestServer } from "../helpers/server";
import { profileWithUsers } from "./helpers";

const ENV = {
  SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
  EWS_ALLOWED_HOSTS: "127.0.0.1",
  JOBS_RUNNER: "off",
  MONITOR_INTERVAL_MINUTES: "0",
  LOG_LEVEL: "warn",
};

/** What a person would compare after a restore: profiles, users with states, audit event count. */
async function visibleData(s: TestServer, profileId: string) {
  const users = (await s.admin.get(`/profiles/${profileId}/users?limit=500`)).body.data as {
    address: string;
    state: string;
  }[];
  const audit = (await s.admin.get(`/audit-events?profileId=${profileId}&limit=500`)).body.data as unknown[];
  const profiles = ((await s.admin.get("/profiles")).body.data as { name: string }[])
    .map((p) => p.name)
    .sort();
  const access = (await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data as { type: string };
  return {
    profiles,
    users: users.map((u) => `${u.address}:${u.state}`),
    audit: audit.length,
    accessType: access.type,
  };
}

async function checkOne(s: TestServer, profileId: string) {
  const users = (await s.admin.get(`/profiles/${profileId}/users`)).body.data as { id: string }[];
  const res = await s.admin.post(`/profiles/${profileId}/checks`, { userIds: [users[0].id] });
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return res.body.data[0] as { ok: boolean };
}

function tool(name: string): boolean {
  return ["/usr/bin", "/usr/local/bin"].some((d) => existsSync(path.join(d, name)));
}

describe("backup and restore", () => {
  let sim: ExchangeSimulator | undefined;
  const servers: TestServer[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await sim?.close();
    for (const c of cleanups.splice(0)) await c();
  });

  it("SQLite: VACUUM INTO while the server runs, then a server on the copy reads the same data", async () => {
    const tenant = demoTenant({ users: 30, rooms: 0 });
    sim = await startExchangeSimulator({ tenant });
    const dir = mkdtempSync(path.join(tmpdir(), "msa-backup-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const live = await startTestServer({ sqliteFile: path.join(dir, "live", "mailbox-sync.db"), env: ENV });
    servers.push(live);
    const profileId = await profileWithUsers(live.admin, sim, mailboxAddresses(tenant, 25), "Backed up");
    await checkOne(live, profileId);
    const before = await visibleData(live, profileId);

    const backup = path.join(dir, "backup", "mailbox-sync.db");
    execFileSync("mkdir", ["-p", path.dirname(backup)]);
    await sqliteVacuumInto(live.ctx, backup);
    // Changes after the backup are not in it.
    await live.admin.post("/profiles", { name: "After the backup" });

    const restored = await startTestServer({ sqliteFile: backup, env: ENV });
    servers.push(restored);
    expect(await sqliteIntegrityCheck(restored.ctx)).toEqual([{ integrityCheck: "ok" }]);
    const after = await visibleData(restored, profileId);
    expect(after.users).toEqual(before.users);
    expect(after.accessType).toBe(before.accessType);
    expect(after.audit).toBeGreaterThanOrEqual(before.audit); // + the restored server's own sign-in events, if any
    expect(after.profiles).not.toContain("After the backup");
    expect(await checkOne(restored, profileId)).toMatchObject({ ok: true });
  }, 60_000);

  it.skipIf(!process.env.TEST_DATABASE_URL || !tool("pg_dump") || !tool("pg_restore"))(
    "PostgreSQL: pg_dump -Fc, pg_restore into another database, a server there reads the same data",
    async () => {
      const tenant = demoTenant({ users: 30, rooms: 0 });
      sim = await startExchangeSimulator({ tenant });
      const baseUrl = process.env.TEST_DATABASE_URL!;
      const schema = freshSchema();
      cleanups.push(() => schema.drop());
      const live = await startTestServer({
        dialect: "postgres",
        pgSchema: schema.schema,
        keepSchema: true,
        env: ENV,
      });
      servers.push(live);
      const profileId = await profileWithUsers(live.admin, sim, mailboxAddresses(tenant, 25), "Backed up");
      await checkOne(live, profileId);
      const before = await visibleData(live, profileId);

      const dir = mkdtempSync(path.join(tmpdir(), "msa-pgdump-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const dump = path.join(dir, "backup.dump");
      execFileSync("pg_dump", ["--format=custom", `--schema=${schema.schema}`, `--file=${dump}`, baseUrl]);
      const target = `restore_${schema.schema}`;
      const url = new URL(baseUrl);
      execFileSync("createdb", [
        "-h",
        url.hostname,
        "-p",
        url.port || "5432",
        "-U",
        decodeURIComponent(url.username || "postgres"),
        target,
      ]);
      cleanups.push(() => {
        execFileSync("dropdb", [
          "-h",
          url.hostname,
          "-p",
          url.port || "5432",
          "-U",
          decodeURIComponent(url.username || "postgres"),
          "--if-exists",
          target,
        ]);
      });
      const targetUrl = new URL(baseUrl);
      targetUrl.pathname = `/${target}`;
      execFileSync("pg_restore", ["--no-owner", `--dbname=${targetUrl.toString()}`, dump]);

      process.env.TEST_DATABASE_URL = targetUrl.toString();
      try {
        const restored = await startTestServer({
          dialect: "postgres",
          pgSchema: schema.schema,
          keepSchema: true,
          env: ENV,
        });
        servers.push(restored);
        const after = await visibleData(restored, profileId);
        expect(after.users).toEqual(before.users);
        expect(after.accessType).toBe(before.accessType);
        expect(after.audit).toBeGreaterThanOrEqual(before.audit);
        expect(await checkOne(restored, profileId)).toMatchObject({ ok: true });
      } finally {
        process.env.TEST_DATABASE_URL = baseUrl;
      }
      // Servers close before the database is dropped (afterEach order: servers first).
    },
    90_000,
  );
});
