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
import { waitUntil } from "../helpers/wait";

const USERS = process.env.LONG_TESTS === "1" ? 3000 : 1000;
const KILLS = 3;
/** Terminations in the outage that follows the rounds. */
const STORM = 12;

/** The connection string with an application_name, so pg_stat_activity tells this server's sessions apart. */
function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set("application_name", name);
  return u.toString();
}

/** Terminates every backend of `applicationName`; answers how many, and how many of them were busy (not idle). */
async function terminate(url: string, applicationName: string): Promise<{ killed: number; busy: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ ok: boolean; state: string | null }>(
      "select pg_terminate_backend(pid) as ok, state from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = $1",
      [applicationName],
    );
    const killed = res.rows.filter((r) => r.ok);
    return { killed: killed.length, busy: killed.filter((r) => r.state !== "idle").length };
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
    let busy = 0;
    const kill = async () => {
      const k = await terminate(baseUrl, applicationName);
      killed += k.killed;
      busy += k.busy;
    };
    for (let round = 1; round <= KILLS; round++) {
      await waitForJob(
        s.admin,
        jobId,
        (j) => j.progress.done >= (USERS * round) / (KILLS + 1) || j.state !== "running",
        60_000,
      );
      await kill();
    }
    // Then an outage: a termination every USERS / 100 mailboxes the job reads (a dozen, where it read
    // about a tenth of them), so that queries and transactions die mid-flight too.
    const readSoFar = () => sim!.counters.byOperation.GetFolder ?? 0;
    let stormWhileRunning = 0;
    for (let step = 1, next = readSoFar(); step <= STORM; step++) {
      next = Math.min(next + USERS / 100, USERS);
      await waitUntil(() => readSoFar() >= next, { timeoutMs: 60_000, what: `${next} mailboxes read` });
      if (readSoFar() < USERS) stormWhileRunning++;
      await kill();
    }
    expect(killed).toBeGreaterThan(KILLS);
    expect(busy, "connections killed mid-query or mid-transaction").toBeGreaterThan(0);
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
      `postgres: ${killed} connections terminated (${busy} busy) in ${KILLS} rounds and a storm of ${STORM} (${stormWhileRunning} before the job's last mailbox read); ${calls} GetFolder calls for ${USERS} users`,
    );
    // A termination that ends the job's execution costs it a lease (30 s) before it is claimed again.
  }, 300_000);
});
