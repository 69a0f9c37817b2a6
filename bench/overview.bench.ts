/**
 * Overview (GET /api/v1/overview): 100 profiles, 100,000 users (10 % in error, 5 % stalled, the rest mostly
 * active and reporting), 30 days of daily rollups per profile, on SQLite (a file) and on PostgreSQL (when
 * TEST_DATABASE_URL or BENCH_DATABASE_URL is set, or the default local server answers). Timed through HTTP
 * as a platform admin (local session) and as a profile admin of 10 profiles (an Entra bearer token from
 * the test identity provider). The server caches nothing between requests.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import type { UserTable } from "../server/store/schema";
import { TEST_ACCOUNTS, startTestIdentityProvider } from "../test/idp";
import { ApiClient, startTestServer, type TestServer } from "../test/helpers/server";
import { type BenchRow, latencyRows, onSqliteThenPostgres, round, sample } from "./lib";

const PROFILES = 100;
const USERS_PER_PROFILE = 1_000;
const DAYS = 30;
const RUNS = 40;
const TARGET_MS = 50;
const HOUR = 3_600_000;

/** One profile's users: 10 % error, 5 % active but stalled, 5 % paused, 5 % not activated, the rest active and reporting. */
function usersOf(profileId: string, p: number, now: number): UserTable[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  return Array.from({ length: USERS_PER_PROFILE }, (_, i) => {
    const address = `user${i}@dept${p}.contoso.com`;
    const slot = i % 20;
    const state = slot < 2 ? "error" : slot === 3 ? "paused" : slot === 4 ? "not-activated" : "active";
    const stalled = slot === 2;
    return {
      id: randomUUID(),
      profileId,
      address,
      addressLower: address,
      displayName: `User ${i}`,
      state: stalled ? "active" : state,
      stateBefore: null,
      mailboxKind: "user",
      lastCheckedAt: iso(now - 2 * HOUR),
      lastError:
        state === "error"
          ? JSON.stringify({ code: `Error${i % 13}`, message: "failed", remediation: "fix it" })
          : null,
      entraObjectId: null,
      lastSyncAt: state === "active" ? iso(now - (stalled ? 48 : 1) * HOUR) : null,
      syncErrors: null,
      activeSince: state === "active" ? iso(now - 90 * 24 * HOUR) : null,
      failureCause: null,
      syncCause: null,
      failureSince: null,
      failureSeenAt: null,
      primaryAddress: null,
      createdAt: iso(now - 100 * 24 * HOUR),
      updatedAt: iso(now - 2 * HOUR),
    };
  });
}

async function timed(client: ApiClient, expectProfiles: number): Promise<number[]> {
  const check = await client.get("/overview");
  if (check.status !== 200) throw new Error(`overview: ${check.status} ${check.text.slice(0, 200)}`);
  if (check.body.data.profiles.length !== expectProfiles) {
    throw new Error(`overview: ${check.body.data.profiles.length} profiles, expected ${expectProfiles}`);
  }
  if (check.body.data.totals.stalled !== (expectProfiles * USERS_PER_PROFILE) / 20) {
    throw new Error(`overview: ${check.body.data.totals.stalled} stalled`);
  }
  return sample(
    async () => {
      const res = await client.get("/overview");
      if (res.status !== 200) throw new Error(`overview: ${res.status}`);
    },
    { runs: RUNS, warmup: 3 },
  );
}

function rowsFor(group: string, figure: string, times: number[]): BenchRow[] {
  return latencyRows(group, figure, times, TARGET_MS, 0.95);
}

async function runOn(dialect: "sqlite" | "postgres"): Promise<BenchRow[]> {
  const group = `overview · ${dialect}`;
  const dir = mkdtempSync(path.join(tmpdir(), "msa-bench-"));
  const idp = await startTestIdentityProvider();
  const s: TestServer = await startTestServer({
    dialect,
    sqliteFile: dialect === "sqlite" ? path.join(dir, "bench.db") : undefined,
    env: { ...idp.serverEnv(), LOG_LEVEL: "warn", JOBS_RUNNER: "false" },
  });
  const rows: BenchRow[] = [];
  try {
    const db = s.ctx.store.db;
    // Bootstrap's default profile would make 101: start from none.
    await db.deleteFrom("profiles").execute();
    const now = Date.now();
    const seedStart = performance.now();
    const profileIds: string[] = [];
    for (let p = 0; p < PROFILES; p++) {
      profileIds.push(
        (await s.admin.post("/profiles", { name: `Bench ${String(p).padStart(3, "0")}` })).body.data
          .id as string,
      );
    }
    await db.transaction().execute(async (trx) => {
      for (const [p, profileId] of profileIds.entries()) {
        const users = usersOf(profileId, p, now);
        for (let i = 0; i < users.length; i += 500) {
          await trx
            .insertInto("users")
            .values(users.slice(i, i + 500))
            .execute();
        }
        const days = Array.from({ length: DAYS }, (_, d) => ({
          profileId,
          day: new Date(now - d * 24 * HOUR).toISOString().slice(0, 10),
          checks: 1000,
          checkFailures: 80 + ((p + d) % 40),
          syncReports: 5000,
          syncFailures: (p * d) % 17,
          notActivated: 50,
          pending: 0,
          active: 800,
          error: 100,
          paused: 50,
          stalled: 50,
          updatedAt: new Date(now).toISOString(),
        }));
        await trx.insertInto("profileDailyStats").values(days).execute();
      }
      // A profile admin's ten profiles.
      await trx
        .insertInto("profileAdmins")
        .values(
          profileIds.slice(0, 10).map((profileId) => ({
            profileId,
            userPrincipalName: TEST_ACCOUNTS.profileAdmin.upn.toLowerCase(),
          })),
        )
        .execute();
    });
    if (dialect === "postgres") await sql`vacuum analyze users`.execute(db);
    else await sql`analyze`.execute(db);
    rows.push({
      group,
      figure: `seed ${PROFILES} profiles, ${(PROFILES * USERS_PER_PROFILE).toLocaleString("en-US")} users, ${PROFILES * DAYS} rollup rows`,
      value: round((performance.now() - seedStart) / 1000),
      unit: "s",
    });

    rows.push(
      ...rowsFor(
        group,
        "GET /overview as platform admin (100 profiles, HTTP)",
        await timed(s.admin, PROFILES),
      ),
    );
    const profileAdmin = new ApiClient(s.url, {
      authorization: `Bearer ${await idp.issueToken(TEST_ACCOUNTS.profileAdmin)}`,
    });
    rows.push(
      ...rowsFor(group, "GET /overview as profile admin of 10 (HTTP, bearer)", await timed(profileAdmin, 10)),
    );
  } finally {
    await s.close();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The overview's figures on SQLite, then on PostgreSQL when it answers. */
export default function overviewBenchmark(): Promise<BenchRow[]> {
  return onSqliteThenPostgres(runOn);
}
