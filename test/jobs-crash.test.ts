import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SYSTEM } from "../server/auth/principal";
import { demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { buildProfile, buildUsers, mailboxAddresses } from "../server/jobs/testing/factories";
import { ProfileService } from "../server/services/profiles";
import { JobService } from "../server/services/jobs";
import { openStore, type Store, type StoreOptions } from "../server/store/db";
import { storeAccess } from "../server/store/unit-of-work";
import { announcePostgresSkip, freshSchema, testDatabases } from "./helpers/server";
import { waitUntil } from "./helpers/wait";

announcePostgresSkip();

const USERS = 5000;
const CONCURRENCY = 10;

function startRunnerProcess(env: Record<string, string>): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.resolve(import.meta.dirname, "../server/jobs/testing/runner-process.ts")],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return child;
}

/** The job runs in another process: poll the store (every 10 ms, so the kill lands close to 30 %). */
const until = (cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string) =>
  waitUntil(cond, { timeoutMs, what, everyMs: 10 });

describe.each(testDatabases())("a job survives a SIGKILL of its runner on %s", (dialect) => {
  let sim: ExchangeSimulator | undefined;
  let store: Store | undefined;
  const children: ChildProcess[] = [];
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await store?.close();
    await sim?.close();
    await drop?.();
  });

  it(`checks each of ${USERS} users exactly once across a kill at ≥ 30 % and a restart`, async () => {
    const tenant = demoTenant({ users: USERS + 10, rooms: 0 });
    sim = await startExchangeSimulator({ tenant, latencyMs: 2, maxRecordedCalls: 0 });
    let storeOptions: StoreOptions;
    let env: Record<string, string>;
    if (dialect === "postgres") {
      const schema = freshSchema();
      drop = () => schema.drop();
      storeOptions = { databaseUrl: process.env.TEST_DATABASE_URL, pgSchema: schema.schema, poolSize: 4 };
      env = { RUNNER_DB: "postgres", RUNNER_PG_SCHEMA: schema.schema };
    } else {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "msa-crash-")), "store.db");
      storeOptions = { sqliteFile: file };
      env = { RUNNER_DB: file };
    }
    env = { ...env, RUNNER_EWS_URL: sim.ewsUrl, RUNNER_LEASE_MS: "1000" };
    store = await openStore(storeOptions);
    const db = store.db;
    const profileId = await buildProfile(db, { maxConcurrentConnections: CONCURRENCY });
    const addresses = mailboxAddresses(tenant, USERS);
    await buildUsers(db, profileId, addresses);
    const access = storeAccess(db);
    const job = await new JobService(access, new ProfileService(access)).start(SYSTEM, profileId, {
      kind: "activate-profile",
    });
    expect(job.progress.total).toBe(USERS);
    const doneItems = async () =>
      Number(
        (
          await db
            .selectFrom("jobItems")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("state", "=", "done")
            .executeTakeFirstOrThrow()
        ).n,
      );

    // This process only reads while the runner process writes (SQLite in WAL mode allows that).
    const first = startRunnerProcess(env);
    children.push(first);
    await until(async () => (await doneItems()) >= USERS * 0.3, 90_000, "30 % progress");
    first.kill("SIGKILL");
    const inFlightAtKill = sim.counters.inFlight;
    await new Promise((r) => first.once("exit", r));
    const callsBeforeRestart = sim.counters.byOperation.GetFolder ?? 0;
    const doneAtKill = await doneItems();
    expect(doneAtKill).toBeGreaterThanOrEqual(USERS * 0.3);
    expect(doneAtKill).toBeLessThan(USERS);

    const second = startRunnerProcess(env);
    children.push(second);
    await until(
      async () =>
        (await db.selectFrom("jobs").select("state").where("id", "=", job.id).executeTakeFirstOrThrow())
          .state === "done",
      90_000,
      "the job to finish after the restart",
    );
    second.kill("SIGTERM");
    await new Promise((r) => second.once("exit", r));

    const jobRow = await store.db
      .selectFrom("jobs")
      .selectAll()
      .where("id", "=", job.id)
      .executeTakeFirstOrThrow();
    expect(jobRow.state).toBe("done");
    expect(jobRow.done).toBe(USERS);
    const results = await store.db
      .selectFrom("checkHistory")
      .select(["userId", (eb) => eb.fn.countAll<number>().as("n")])
      .where("jobId", "=", job.id)
      .groupBy("userId")
      .execute();
    expect(results).toHaveLength(USERS); // every user has a result ...
    expect(results.every((r) => Number(r.n) === 1)).toBe(true); // ... exactly one
    const states = await store.db
      .selectFrom("users")
      .select("state")
      .where("state", "not in", ["active", "error"])
      .execute();
    expect(states).toHaveLength(0);
    const calls = sim.counters.byOperation.GetFolder ?? 0;
    const extra = calls - USERS;
    // Checks whose answer was lost with the process: at most what the runner had in flight (the profile's concurrency).
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(CONCURRENCY);
    console.log(
      `${dialect}: killed at ${doneAtKill}/${USERS} done, ${inFlightAtKill} calls in flight at the simulator, ${callsBeforeRestart} calls before restart, ${extra} extra calls in total`,
    );
  }, 120_000);
});
