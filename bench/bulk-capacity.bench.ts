/**
 * Bulk capacity: activation against an Exchange that serves at most 8 of the account's calls at once
 * (server-health throttling: ErrorServerBusy with BackOffMilliseconds 300 above that, charged to the
 * impersonated mailbox), 20 ms per call, the profile at concurrency 10, the real server in a child process.
 * - 4,000 and 1,000 users: refused share of all calls (≤ 10 %), users in error (0), and wall time from the
 *   POST to the event stream's "done" against a bare keep-alive client that keeps exactly 8 calls in flight,
 *   measured in the same run (≤ 1.3× at 4,000, ≤ 1.5× at 1,000); the same with no throttling.
 * - Fixed costs per database (SQLite, then PostgreSQL at BENCH_DATABASE_URL / TEST_DATABASE_URL), medians
 *   of 5 jobs: from the 202 to the first request at the simulator (≤ 100 ms), from the simulator's last
 *   answer to the "done" event (≤ 100 ms).
 * - Results written per second by the real runner and store with a check port that answers at once,
 *   10,000 users (≥ 500/s), per database.
 * BENCH_CAPACITY_USERS overrides 4,000.
 */
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SYSTEM } from "../server/auth/principal";
import { demoTenant, DEMO, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { envelope, getFolderBody } from "../server/ews-simulator/test-helpers";
import { JobRepository } from "../server/store/job-repo";
import { JobRunner } from "../server/jobs/runner";
import { buildProfile, buildUsers, mailboxAddresses } from "../server/jobs/testing/factories";
import type { CheckPort } from "../server/jobs/types";
import { createLogger } from "../server/logger";
import { CheckService } from "../server/services/checks";
import { JobService } from "../server/services/jobs";
import { ProfileService } from "../server/services/profiles";
import type { MailboxAccessService } from "../server/services/mailbox-access";
import { openStore } from "../server/store/db";
import { storeAccess } from "../server/store/unit-of-work";
import { benchAdmin, bulkProfile, followJob } from "./bulk-setup";
import { quantile, round, type BenchRow } from "./lib";
import { freshPostgresDatabase } from "./me-status-load.bench";
import { startServerProcess } from "./server-process";

const USERS = Number(process.env.BENCH_CAPACITY_USERS ?? 4_000);
const SMALL = 1_000;
const LATENCY_MS = 20;
const CAPACITY = 8;
const CONCURRENCY = 10;
const BACK_OFF_MS = 300;
const FIXED_RUNS = 5;
const WRITE_USERS = 10_000;
const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test";

/** A bare keep-alive client: `addresses` checked (one impersonated GetFolder each) with exactly `inFlight` calls in flight. */
async function bareClient(sim: ExchangeSimulator, addresses: string[], inFlight: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const url = new URL(sim.ewsUrl);
  const auth = `Basic ${Buffer.from(`${DEMO.serviceAccount.logon}:${DEMO.serviceAccount.password}`).toString("base64")}`;
  const call = (address: string) =>
    new Promise<void>((resolve, reject) => {
      const body = envelope(getFolderBody(["inbox", "calendar"]), { impersonate: address });
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: { "Content-Type": "text/xml; charset=utf-8", Authorization: auth },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < addresses.length) await call(addresses[next++]);
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  return ms;
}

interface Timed {
  wallMs: number;
  calls: number;
  busy: number;
  firstRequestMs: number;
  doneAfterLastMs: number;
  failed: number;
}

/** Runs one job on the server and reads the simulator's counters around it. */
async function timeJob(
  sim: ExchangeSimulator,
  admin: Awaited<ReturnType<typeof benchAdmin>>,
  profileId: string,
  kind: string,
): Promise<Timed> {
  sim.resetCounters();
  const started = performance.now();
  const res = await admin.post(`/profiles/${profileId}/jobs`, { kind });
  const at202 = Date.now();
  if (res.status !== 202) throw new Error(`start job: ${res.status} ${res.text}`);
  const job = await followJob(admin, res.body.data.id);
  const atDone = Date.now();
  const wallMs = performance.now() - started;
  if (job.state !== "done") throw new Error(`job ended ${job.state}`);
  const calls = sim.counters.calls;
  const first = calls.length ? Math.min(...calls.map((c) => c.at)) : at202;
  const last = calls.length ? Math.max(...calls.map((c) => c.at)) : atDone;
  return {
    wallMs,
    calls: sim.counters.requests,
    busy: sim.counters.byOutcome.ErrorServerBusy ?? 0,
    // The simulator records a call when it answers: the first request arrived about one latency earlier.
    firstRequestMs: Math.max(0, first - LATENCY_MS - at202),
    doneAfterLastMs: atDone - last,
    failed: job.progress.failed,
  };
}

/** The throttled and unthrottled runs, and the fixed costs, on a server using `databaseUrl` ("" = SQLite). */
async function serverRuns(db: string, databaseUrl: string, withCapacity: boolean): Promise<BenchRow[]> {
  const tenant = demoTenant({ users: USERS + SMALL + 10, rooms: 0 });
  const sim = await startExchangeSimulator({ tenant, latencyMs: LATENCY_MS, maxRecordedCalls: USERS * 3 });
  const server = await startServerProcess({
    EWS_ALLOWED_HOSTS: "127.0.0.1",
    JOBS_RUNNER: "on",
    DATABASE_URL: databaseUrl,
  });
  const rows: BenchRow[] = [];
  try {
    const admin = await benchAdmin(server.url);
    const big = await bulkProfile(admin, sim, USERS);
    const small = await bulkProfile(admin, sim, SMALL, { name: "Bench small", skip: USERS });
    for (const p of [big, small]) {
      await admin.patch(`/profiles/${p}`, { maxConcurrentConnections: CONCURRENCY });
    }
    const addresses = mailboxAddresses(tenant, USERS);
    if (withCapacity) {
      const group = `capacity ${CAPACITY} · ${LATENCY_MS} ms/call · c${CONCURRENCY} · ${db}`;
      sim.limits.capacityPerAccount = CAPACITY;
      sim.limits.capacityBackOffMs = BACK_OFF_MS;
      for (const [n, profileId, target] of [
        [USERS, big, 1.3],
        [SMALL, small, 1.5],
      ] as const) {
        const bareMs = await bareClient(sim, addresses.slice(0, n), CAPACITY);
        const run = await timeJob(sim, admin, profileId, "activate-profile");
        const counts = (await admin.get(`/profiles/${profileId}`)).body.data.counts as Record<string, number>;
        const share = run.busy / run.calls;
        const ratio = run.wallMs / bareMs;
        rows.push(
          {
            group,
            figure: `${n} users: refused busy / all calls (${run.busy} / ${run.calls})`,
            value: round(share * 100),
            unit: "%",
            target: "≤ 10 %",
            ok: share <= 0.1,
          },
          {
            group,
            figure: `${n} users: users in error / active`,
            value: counts.error ?? 0,
            unit: `/ ${counts.active ?? 0}`,
            target: "0 in error",
            ok: (counts.error ?? 0) === 0 && run.failed === 0,
          },
          {
            group,
            figure: `${n} users: wall ${round(run.wallMs / 1000)} s / bare client at ${CAPACITY} in flight ${round(bareMs / 1000)} s`,
            value: round(ratio),
            unit: "×",
            target: `≤ ${target}×`,
            ok: ratio <= target,
          },
        );
      }
      sim.limits.capacityPerAccount = null;
      const noThrottle = `no throttling · ${LATENCY_MS} ms/call · c${CONCURRENCY} · ${db}`;
      for (const [n, profileId] of [
        [USERS, big],
        [SMALL, small],
      ] as const) {
        const bareMs = await bareClient(sim, addresses.slice(0, n), CAPACITY);
        const run = await timeJob(sim, admin, profileId, "recheck-profile");
        rows.push({
          group: noThrottle,
          figure: `${n} users: wall ${round(run.wallMs / 1000)} s / bare client at ${CAPACITY} in flight ${round(bareMs / 1000)} s`,
          value: round(run.wallMs / bareMs),
          unit: "×",
        });
      }
    }
    // Fixed costs: medians of FIXED_RUNS re-checks (of users an activation made active), no throttling.
    if (!withCapacity) await timeJob(sim, admin, small, "activate-profile");
    const first: number[] = [];
    const last: number[] = [];
    for (let i = 0; i < FIXED_RUNS; i++) {
      const run = await timeJob(sim, admin, small, "recheck-profile");
      first.push(run.firstRequestMs);
      last.push(run.doneAfterLastMs);
    }
    const fixed = `fixed costs · runner in the server · ${db} (median of ${FIXED_RUNS} jobs of ${SMALL} users)`;
    const f = quantile(first, 0.5);
    const l = quantile(last, 0.5);
    rows.push(
      {
        group: fixed,
        figure: "from the 202 to the first request at the simulator",
        value: round(f),
        unit: "ms",
        target: "≤ 100 ms",
        ok: f <= 100,
      },
      {
        group: fixed,
        figure: "from the simulator's last answer to the done event",
        value: round(l),
        unit: "ms",
        target: "≤ 100 ms",
        ok: l <= 100,
      },
    );
  } finally {
    await server.stop();
    await sim.close();
  }
  return rows;
}

/** Results written per second: the real runner and store, a check port that answers at once. */
async function writeRate(db: string, databaseUrl: string): Promise<BenchRow> {
  const dir = mkdtempSync(path.join(tmpdir(), "msa-bench-write-"));
  const store = await openStore(
    databaseUrl ? { databaseUrl, poolSize: 10 } : { sqliteFile: path.join(dir, "bench.sqlite") },
  );
  try {
    const profileId = await buildProfile(store.db);
    const tenant = demoTenant({ users: WRITE_USERS + 10, rooms: 0 });
    await buildUsers(store.db, profileId, mailboxAddresses(tenant, WRITE_USERS));
    const checks = new CheckService(storeAccess(store.db), undefined as unknown as MailboxAccessService);
    const port: CheckPort = {
      checkerFor: () => Promise.resolve(() => Promise.resolve({ ok: true, ms: 0, mailboxKind: "user" })),
      applyResult: (trx, user, result, opts) => checks.applyResult(trx, user, result, opts),
      applyResults: (trx, items, opts) => checks.applyResults(trx, items, opts),
    };
    const jobs = new JobService(storeAccess(store.db), new ProfileService(storeAccess(store.db)));
    const runner = new JobRunner({
      store: storeAccess(store.db),
      checks: port,
      log: createLogger("silent"),
      maxConcurrency: 50,
    });
    runner.start();
    const started = performance.now();
    const job = await jobs.start(SYSTEM, profileId, { kind: "activate-profile" });
    const repo = new JobRepository(store.db);
    for (;;) {
      const row = await repo.find(job.id);
      if (row && ["done", "failed", "cancelled"].includes(row.state)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    await runner.close();
    const rate = WRITE_USERS / seconds;
    return {
      group: `results written · ${db}`,
      figure: `${WRITE_USERS} users, check port answering at once (${round(seconds)} s)`,
      value: Math.round(rate),
      unit: "results/s",
      target: "≥ 500/s",
      ok: rate >= 500,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Printed as they come too: a failure late in the run keeps the figures measured before it.
  const add = (...more: BenchRow[]) => {
    for (const r of more) console.error(`  ${r.group} | ${r.figure} | ${r.value} ${r.unit}`);
    rows.push(...more);
  };
  add(...(await serverRuns("SQLite", "", process.env.BENCH_CAPACITY_SKIP_THROTTLED !== "1")));
  add(await writeRate("SQLite", ""));
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_PG;
  const database = await freshPostgresDatabase(pgUrl);
  if (database) {
    try {
      add(...(await serverRuns("PostgreSQL", database.url, false)));
    } finally {
      await database.drop();
    }
    // A database of its own: an address belongs to one user in the whole database.
    const forWrites = await freshPostgresDatabase(pgUrl);
    try {
      if (forWrites) add(await writeRate("PostgreSQL", forWrites.url));
    } finally {
      await forWrites?.drop();
    }
  } else {
    console.error("PostgreSQL does not answer: its bulk-capacity figures skipped.");
  }
  return rows;
}
