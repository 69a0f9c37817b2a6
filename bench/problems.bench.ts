/**
 * Problems: 100 profiles, 100,000 users, 10 % failing across 15 causes and 5 % stalled, on SQLite (a file) and on
 * PostgreSQL (when it answers; a fresh schema, dropped after). `GET /problems` as a platform admin (every
 * profile) and as a profile admin of 10 profiles (an Entra bearer token from the test identity
 * provider), `GET /profiles/:id/problems`, and the cause-filtered user list. No cache: each request
 * groups from the store.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { failureCauses } from "../contract/problems";
import { UserRepository, chunks, type NewUser } from "../server/store/users-repo";
import { startTestIdentityProvider, TEST_ACCOUNTS } from "../test/idp";
import { ApiClient, startTestServer, type TestServer } from "../test/helpers/server";
import { type BenchRow, latencyRows, onSqliteThenPostgres, round, sample } from "./lib";

const PROFILES = 100;
const USERS_PER_PROFILE = 1_000;
const FAILING_EVERY = 10;
const RUNS = 30;
/** 5 % of the mailboxes stalled (quiet for 48 h while the others report), none of them failing. */
const STALLED_EVERY = 20;
const STALLED_SLOT = 5;

function rowsOf(group: string, figure: string, times: number[], limitMs: number): BenchRow[] {
  return latencyRows(group, figure, times, limitMs, 0.95);
}

async function runOn(dialect: "sqlite" | "postgres"): Promise<BenchRow[]> {
  const group = `problems · ${dialect}`;
  const dir = mkdtempSync(path.join(tmpdir(), "msa-bench-"));
  const idp = await startTestIdentityProvider();
  const s: TestServer = await startTestServer({
    dialect,
    sqliteFile: dialect === "sqlite" ? path.join(dir, "bench.db") : undefined,
    env: { ...idp.serverEnv(), LOG_LEVEL: "warn", JOBS_RUNNER: "off", MONITOR_INTERVAL_MINUTES: "0" },
  });
  const rows: BenchRow[] = [];
  try {
    const profileIds: string[] = [];
    for (let p = 0; p < PROFILES; p++) {
      profileIds.push((await s.admin.post("/profiles", { name: `Bench ${p}` })).body.data.id as string);
    }
    for (const id of profileIds.slice(0, 10)) {
      const res = await s.admin.put(`/profiles/${id}/admins`, {
        userPrincipalNames: [TEST_ACCOUNTS.profileAdmin.upn],
      });
      if (res.status >= 300) throw new Error(`admins: ${res.status} ${res.text}`);
    }

    const seedStart = performance.now();
    const now = new Date().toISOString();
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    await s.ctx.store.db.transaction().execute(async (trx) => {
      const repo = new UserRepository(trx);
      const failing = new Map<string, string[]>();
      const stalled: string[] = [];
      for (const [p, profileId] of profileIds.entries()) {
        const users: NewUser[] = Array.from({ length: USERS_PER_PROFILE }, (_, i) => ({
          id: randomUUID(),
          profileId,
          address: `user${p * USERS_PER_PROFILE + i}@dept${p}.contoso.com`,
          displayName: `User ${i}`,
        }));
        await repo.insertMany(users);
        users.forEach((u, i) => {
          if (i % STALLED_EVERY === STALLED_SLOT) stalled.push(u.id);
          if (i % FAILING_EVERY !== 0) return;
          const cause = failureCauses[(p + i / FAILING_EVERY) % failureCauses.length];
          failing.set(cause, [...(failing.get(cause) ?? []), u.id]);
        });
      }
      // Every mailbox active and reporting (the last hour) for 90 days, then 5 % quiet for two days: stalled.
      await trx
        .updateTable("users")
        .set({ state: "active", lastCheckedAt: now, lastSyncAt: hoursAgo(1), activeSince: hoursAgo(90 * 24) })
        .execute();
      for (const part of chunks(stalled, 1000)) {
        await trx
          .updateTable("users")
          .set({ lastSyncAt: hoursAgo(48) })
          .where("id", "in", part)
          .execute();
      }
      for (const [cause, ids] of failing) {
        for (const part of chunks(ids, 1000)) {
          await trx
            .updateTable("users")
            .set({
              state: cause === "sync-service" ? "active" : "error",
              lastError:
                cause === "sync-service"
                  ? null
                  : JSON.stringify({ code: `Code-${cause}`, message: `Failed: ${cause}`, remediation: "" }),
              syncErrors:
                cause === "sync-service" ? JSON.stringify([{ code: "report_500", message: "x" }]) : null,
              syncCause: cause === "sync-service" ? cause : null,
              failureCause: cause,
              failureSince: now,
              failureSeenAt: now,
            })
            .where("id", "in", part)
            .execute();
        }
      }
    });
    rows.push({
      group,
      figure: `seed ${(PROFILES * USERS_PER_PROFILE).toLocaleString("en-US")} users, 10 % failing in ${failureCauses.length} causes, 5 % stalled`,
      value: round((performance.now() - seedStart) / 1000),
      unit: "s",
    });
    if (dialect === "postgres") {
      await s.ctx.store.db.executeQuery({
        sql: "analyze",
        parameters: [],
        query: { kind: "RawNode" },
      } as never);
    }

    const profileAdmin = new ApiClient(s.url, {
      authorization: `Bearer ${await idp.issueToken(TEST_ACCOUNTS.profileAdmin)}`,
    });
    const cases: { name: string; client: ApiClient; url: string; groups: number; limit: number }[] = [
      {
        name: "GET /problems, platform admin (100 profiles)",
        client: s.admin,
        url: "/problems",
        groups: 16,
        limit: 100,
      },
      {
        name: "GET /problems, profile admin of 10 profiles",
        client: profileAdmin,
        url: "/problems",
        groups: 16,
        limit: 100,
      },
      {
        name: "GET /profiles/:id/problems (1 profile)",
        client: s.admin,
        url: `/profiles/${profileIds[42]}/problems`,
        groups: 16,
        limit: 100,
      },
    ];
    for (const c of cases) {
      const check = await c.client.get(c.url);
      if (check.status !== 200) throw new Error(`${c.url}: ${check.status} ${check.text}`);
      const total = check.body.data.total as number;
      const groups = (check.body.data.groups as unknown[]).length;
      // 15 causes and the stalled mailboxes: a seed that stalls nobody would measure less than it says.
      if (groups !== c.groups) throw new Error(`${c.url}: ${groups} groups, expected ${c.groups}`);
      const times = await sample(
        async () => {
          const res = await c.client.get(c.url);
          if (res.status !== 200) throw new Error(`${c.url}: ${res.status}`);
        },
        { runs: RUNS, warmup: 2 },
      );
      rows.push(
        ...rowsOf(
          group,
          `${c.name}: ${groups} groups, ${total.toLocaleString("en-US")} users`,
          times,
          c.limit,
        ),
      );
    }
    const usersUrl = `/profiles/${profileIds[42]}/users?cause=mailbox-alias&limit=100`;
    const times = await sample(() => s.admin.get(usersUrl), { runs: RUNS, warmup: 2 });
    rows.push(...rowsOf(group, "GET /profiles/:id/users?cause= (filtered list)", times, 100));
  } finally {
    await s.close();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Runs the Problems figures on SQLite, then on PostgreSQL when it answers. */
export default function problemsBenchmark(): Promise<BenchRow[]> {
  return onSqliteThenPostgres(runOn);
}
