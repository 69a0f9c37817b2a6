/**
 * PostgreSQL connections killed mid-job (`pg_terminate_backend`, as a failover or an admin would):
 * the job runner's queries fail, it retries, and the job finishes with nothing lost and nothing
 * doubled: every user exactly one result. Only this test's server connections are killed (they carry
 * their own `application_name`), so other tests sharing the database are left alone.
 *
 * It also guards against a crash it found: a pool client killed while checked out (between the
 * queries of a transaction) emitted `error` with no listener, which ends a process (vitest reports it
 * as an "Uncaught Exception: Connection terminated unexpectedly"); server/store/db.ts now listens.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../../server/ews-simulator";
import { mailboxAddresses } from "../../server/jobs/testing/factories";
import { startTestServer, type TestServer } from "../helpers/server";
import { expectExactlyOneResultEach, profileWithUsers, waitForJob } from "./helpers";
import { realDelay } from "../helpers/real-delay";

const USERS = process.env.LONG_TESTS === "1" ? 3000 : 1000;
const KILLS = 3;

/** The connection string with an application_name, so pg_stat_activity tells this server's sessions apart. */
function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set("application_name", name);
  return u.toString();
}

/** Terminates every backend of `applicationName`; answers how many. */
async function terminate(url: string, applicationName: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ ok: boolean }>(
      "select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = $1",
      [applicationName],
    );
    return res.rows.filter((r) => r.ok).length;
  } finally {
    await client.end();
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("PostgreSQL connections killed mid-job", () => {
  const baseUrl = process.env.TEST_DATABASE_URL!;
  let sim: ExchangeSimulator | undefined;
  let s: TestServer | undefined;
  afterEach(async () => {
    process.env.TEST_DATABASE_URL = baseUrl;
    await s?.close();
    await sim?.close();
  });

  it(`an activation of ${USERS} users survives ${KILLS} rounds of pg_terminate_backend: every user exactly one result`, async () => {
    const tenant = demoTenant({ users: USERS + 10, rooms: 0 });
    sim = await startExchangeSimulator({ tenant, latencyMs: 5, maxRecordedCalls: 0 });
    const applicationName = `msa_faults_${randomBytes(4).toString("hex")}`;
    // startTestServer reads TEST_DATABASE_URL when it opens the store.
    process.env.TEST_DATABASE_URL = withApplicationName(baseUrl, applicationName);
    s = await startTestServer({
      dialect: "postgres",
      env: { EWS_ALLOWED_HOSTS: "127.0.0.1", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" },
    });
    process.env.TEST_DATABASE_URL = baseUrl;
    const profileId = await profileWithUsers(s.admin, sim, mailboxAddresses(tenant, USERS));
    const started = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    expect(started.status, started.text).toBe(202);
    const jobId = started.body.data.id as string;

    let killed = 0;
    for (let round = 1; round <= KILLS; round++) {
      await waitForJob(
        s.admin,
        jobId,
        (j) => j.progress.done >= (USERS * round) / (KILLS + 1) || j.state !== "running",
        60_000,
      );
      killed += await terminate(baseUrl, applicationName);
    }
    // Then an outage: every 250 ms for 3 s, so that queries and transactions die mid-flight too.
    const stormEnd = Date.now() + 3000;
    while (Date.now() < stormEnd) {
      killed += await terminate(baseUrl, applicationName);
      await realDelay(250, "spread backend terminations over the storm");
    }
    expect(killed).toBeGreaterThan(KILLS);
    const job = await waitForJob(
      s.admin,
      jobId,
      (j) => ["done", "failed", "cancelled"].includes(j.state),
      120_000,
    );
    expect(job.state).toBe("done");
    expect(job.progress).toMatchObject({ total: USERS, done: USERS, ok: USERS, failed: 0 });
    await expectExactlyOneResultEach(s.ctx.store, jobId, USERS);
    const calls = sim.counters.byOperation.GetFolder ?? 0;
    console.log(
      `postgres: ${killed} connections terminated in ${KILLS} rounds; ${calls} GetFolder calls for ${USERS} users`,
    );
  }, 200_000);
});
