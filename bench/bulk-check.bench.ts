/**
 * Bulk check: 10,000 users activated through the API (the real server in a child process: job runner,
 * CheckService, EWS client) against the Exchange simulator answering each call after 50 ms, concurrency
 * 10. Wall time from POST /jobs to the event stream's "done", against the ideal `calls × 50 ms / 10`
 * (≤ 1.2×); then a recheck of the same users with 5 % injected ErrorServerBusy (≤ 1.5×); and the
 * server's peak RSS (< 200 MB).
 */
import { demoTenant, startExchangeSimulator } from "../server/ews-simulator";
import { benchAdmin, bulkProfile, followJob } from "./bulk-setup";
import { round, type BenchRow } from "./lib";
import { startServerProcess } from "./server-process";

const USERS = Number(process.env.BENCH_BULK_USERS ?? 10_000);
const LATENCY_MS = 50;
const CONCURRENCY = 10;
const BUSY_BACKOFF_MS = 50;

export default async function run(): Promise<BenchRow[]> {
  const tenant = demoTenant({ users: USERS + 10, rooms: 0 });
  const sim = await startExchangeSimulator({ tenant, latencyMs: LATENCY_MS, maxRecordedCalls: 0 });
  // The server as `npm start` runs it: bundled, plain Node, the production memory settings.
  const server = await startServerProcess({ EWS_ALLOWED_HOSTS: "127.0.0.1", JOBS_RUNNER: "on" });
  try {
    const { url } = server;
    const rssIdle = server.memoryMb().peak;
    const admin = await benchAdmin(url);
    const profileId = await bulkProfile(admin, sim, USERS);
    const rssAfterImport = server.memoryMb().peak;

    const timeJob = async (kind: string) => {
      sim.resetCounters();
      const cpuBefore = server.cpuSeconds();
      const started = performance.now();
      const res = await admin.post(`/profiles/${profileId}/jobs`, { kind });
      if (res.status !== 202) throw new Error(`start job: ${res.status} ${res.text}`);
      const job = await followJob(admin, res.body.data.id);
      const wallMs = performance.now() - started;
      const calls = sim.counters.requests;
      const serverCpuPerCall = ((server.cpuSeconds() - cpuBefore) * 1000) / calls;
      const idealMs = (calls * LATENCY_MS) / CONCURRENCY;
      return {
        job,
        wallMs,
        calls,
        ratio: wallMs / idealMs,
        peak: sim.counters.peakConcurrency,
        serverCpuPerCall,
        early: sim.counters.callsDuringBackOff.total,
      };
    };

    const clean = await timeJob("activate-profile");
    if (clean.job.progress.done !== USERS || clean.job.state !== "done") {
      throw new Error(`activation ended ${clean.job.state} with ${clean.job.progress.done}/${USERS}`);
    }
    const counts = (await admin.get(`/profiles/${profileId}`)).body.data.counts as Record<string, number>;
    sim.faults.rates = { serverBusy: 0.05 };
    sim.faults.backOffMs = BUSY_BACKOFF_MS;
    const busy = await timeJob("recheck-profile");
    sim.faults.rates = {};
    const rss = server.memoryMb().peak;
    const group = `${USERS} users · ${LATENCY_MS} ms/call · c${CONCURRENCY}`;
    return [
      { group, figure: "activation wall time", value: round(clean.wallMs / 1000), unit: "s" },
      {
        group,
        figure: `activation: EWS calls (peak in flight ${clean.peak})`,
        value: clean.calls,
        unit: "calls",
      },
      {
        group,
        figure: "activation: wall / (calls × 50 ms / 10)",
        value: round(clean.ratio),
        unit: "×",
        target: "≤ 1.2×",
        ok: clean.ratio <= 1.2,
      },
      {
        group,
        figure: "activation: server CPU per check (EWS client + runner + store)",
        value: round(clean.serverCpuPerCall),
        unit: "ms",
      },
      {
        group,
        figure: "activation: users active / error / pending",
        value: counts.active ?? 0,
        unit: `/ ${counts.error ?? 0} / ${counts.pending ?? 0}`,
      },
      {
        group,
        figure: `recheck with 5 % ErrorServerBusy (BackOff ${BUSY_BACKOFF_MS} ms): wall time`,
        value: round(busy.wallMs / 1000),
        unit: "s",
      },
      {
        group,
        figure: `recheck with 5 % ErrorServerBusy: EWS calls (peak in flight ${busy.peak})`,
        value: busy.calls,
        unit: "calls",
      },
      {
        group,
        figure: "recheck with 5 % ErrorServerBusy: wall / (calls × 50 ms / 10)",
        value: round(busy.ratio),
        unit: "×",
        target: "≤ 1.5×",
        ok: busy.ratio <= 1.5,
      },
      { group, figure: "recheck: failed after retries", value: busy.job.progress.failed, unit: "users" },
      // The simulator counts calls that reached it before a BackOffMilliseconds it announced (to the mailbox or the account) ran out.
      {
        group,
        figure: "recheck: calls sent during a back-off Exchange announced",
        value: busy.early,
        unit: "calls",
        target: "0",
        ok: busy.early === 0,
      },
      { group, figure: "server RSS idle after start (production build)", value: rssIdle, unit: "MB" },
      { group, figure: "server peak RSS after importing the users", value: rssAfterImport, unit: "MB" },
      {
        group,
        figure: "server peak RSS (whole run)",
        value: rss,
        unit: "MB",
        target: "< 200 MB",
        ok: rss < 200,
      },
    ];
  } finally {
    await server.stop();
    await sim.close();
  }
}
