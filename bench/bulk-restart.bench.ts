/**
 * The bulk job across a crash of the server, as an admin lives it: 10,000 simulated users (50 ms per
 * call, concurrency 10) activated through the API with live progress over the event stream; at ≥ 30 %
 * the server process gets SIGKILL, is started again on the same data (SQLite), and the job resumes when
 * the dead runner's lease (30 s, renewed every 10 s while it lived) has run out. Printed: where it was
 * killed, how long the server and the job took to come back, the final state of every user, results per
 * user (read from the store afterwards) and the EWS calls made again against those in flight at the kill.
 */
import path from "node:path";
import { demoTenant, startExchangeSimulator } from "../server/ews-simulator";
import { openStore } from "../server/store/db";
import { benchAdmin, bulkProfile, followJob } from "./bulk-setup";
import { round, type BenchRow } from "./lib";
import { startServerProcess } from "./server-process";

const USERS = Number(process.env.BENCH_RESTART_USERS ?? 10_000);
const LATENCY_MS = 50;
const ENV = { EWS_ALLOWED_HOSTS: "127.0.0.1", JOBS_RUNNER: "on" };

/** Items of the job with their result written, read from the SQLite file of a stopped server. */
async function doneItems(sqliteFile: string, jobId: string): Promise<number> {
  const store = await openStore({ sqliteFile });
  try {
    const row = await store.db
      .selectFrom("jobItems")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("jobId", "=", jobId)
      .where("state", "=", "done")
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await store.close();
  }
}

export default async function run(): Promise<BenchRow[]> {
  const sim = await startExchangeSimulator({
    tenant: demoTenant({ users: USERS + 10, rooms: 0 }),
    latencyMs: LATENCY_MS,
    maxRecordedCalls: 0,
  });
  const first = await startServerProcess(ENV);
  let second: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    const admin = await benchAdmin(first.url);
    const profileId = await bulkProfile(admin, sim, USERS);
    sim.resetCounters();
    const started = performance.now();
    const res = await admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    if (res.status !== 202) throw new Error(`start job: ${res.status} ${res.text}`);
    const jobId = res.body.data.id as string;

    await followJob(admin, jobId, (job) => job.progress.done >= job.progress.total * 0.3);
    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    const killedAt = performance.now();
    await exited;
    // Every request the dead server sent has reached the simulator by now (it counts on arrival).
    await new Promise((r) => setTimeout(r, 200));
    const sentBeforeRestart = sim.counters.byOperation.GetFolder ?? 0;
    const file = path.join(first.dataDir, "mailbox-sync.db");
    const doneAtKill = await doneItems(file, jobId);
    // Sent but with no result stored: the checks in flight at the kill, which a resume has to make again.
    const inFlightAtKill = sentBeforeRestart - doneAtKill;

    second = await startServerProcess(ENV, first.dataDir);
    const listeningAt = performance.now();
    const again = await benchAdmin(second.url);
    let resumedAt = 0;
    let toldAt = 0;
    const done = await followJob(again, jobId, (job) => {
      if (!toldAt && job.resumesBy) toldAt = performance.now();
      if (!resumedAt && job.progress.done > doneAtKill) resumedAt = performance.now();
      return false;
    });
    const finishedAt = performance.now();
    const counts = (await again.get(`/profiles/${profileId}`)).body.data.counts as Record<string, number>;
    await second.stop({ keepData: true });

    const store = await openStore({ sqliteFile: file });
    const perUser = await store.db
      .selectFrom("checkHistory")
      .select(["userId", (eb) => eb.fn.countAll<number>().as("n")])
      .where("jobId", "=", jobId)
      .groupBy("userId")
      .execute();
    await store.close();
    const once = perUser.filter((r) => Number(r.n) === 1).length;
    const extra = (sim.counters.byOperation.GetFolder ?? 0) - USERS;

    const group = `${USERS} users · ${LATENCY_MS} ms/call · SIGKILL of the server`;
    const final = `${counts.active ?? 0} / ${counts.error ?? 0} / ${counts.pending ?? 0}`;
    return [
      {
        group,
        figure: "killed at (checks done, read from the store after the kill)",
        value: doneAtKill,
        unit: `of ${USERS}`,
      },
      {
        group,
        figure: "SIGKILL → server listening again on the same data",
        value: round((listeningAt - killedAt) / 1000),
        unit: "s",
      },
      {
        group,
        figure: "server listening → the job's first new result (the dead runner's 30 s lease runs out)",
        value: round((resumedAt - listeningAt) / 1000),
        unit: "s",
      },
      {
        group,
        figure: "SIGKILL → the event stream says when the job resumes (resumesBy)",
        value: toldAt ? round((toldAt - killedAt) / 1000) : 0,
        unit: toldAt ? "s" : "s (never said)",
        target: "said",
        ok: toldAt > 0,
      },
      {
        group,
        figure: "start → done, across the crash",
        value: round((finishedAt - started) / 1000),
        unit: "s",
      },
      {
        group,
        figure: `job ${done.state}; users active / error / pending`,
        value: counts.active ?? 0,
        unit: `/ ${counts.error ?? 0} / ${counts.pending ?? 0}`,
        target: `${USERS} / 0 / 0`,
        ok: done.state === "done" && final === `${USERS} / 0 / 0`,
      },
      {
        group,
        figure: "users with exactly one result of the job",
        value: once,
        unit: `of ${perUser.length}`,
        target: `${USERS} of ${USERS}`,
        ok: once === USERS && perUser.length === USERS,
      },
      {
        group,
        figure: `EWS checks made again (sent with no result stored at the kill: ${inFlightAtKill})`,
        value: extra,
        unit: "calls",
        target: `0 – ${inFlightAtKill}`,
        ok: extra >= 0 && extra <= inFlightAtKill,
      },
    ];
  } finally {
    await first.stop();
    await second?.stop();
    await sim.close();
  }
}
