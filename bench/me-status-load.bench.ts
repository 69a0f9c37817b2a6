/**
 * `GET /api/v1/me/status` at 50 connections (DESIGN.md: every side pane polls it), on SQLite and on
 * PostgreSQL, each next to a bare Express handler answering the same JSON, measured one after the other
 * in this run: req/s, p50 and p99, and the ratio (target ≥ 0.6). Load comes from autocannon in another
 * process, so it doesn't share the server's thread. (bench/me-status.bench.ts, by the identity
 * engineer, measures 10 connections on SQLite; this module adds the 50-connection, two-database view.)
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import express from "express";
import pg from "pg";
import { startIdentityFixture } from "../test/helpers/identity";
import { TEST_ACCOUNTS } from "../test/idp";
import { round, type BenchRow } from "./lib";

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const AUTOCANNON = path.resolve(import.meta.dirname, "../node_modules/autocannon/autocannon.js");
const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test";

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** This process's CPU (the server under load runs here; autocannon is a child) per request, µs. */
  cpuUsPerRequest: number;
  /** PostgreSQL's own CPU (all its processes, from /proc) per request, µs. */
  postgresUsPerRequest: number;
}

/** CPU seconds used so far by every process named `postgres` (the local server and its backends). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

async function autocannon(url: string, headers: Record<string, string>, seconds: number): Promise<Load> {
  const args = [AUTOCANNON, "--json", "-c", String(CONNECTIONS), "-d", String(seconds), ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}=${v}`]), url];
  const cpu = process.cpuUsage();
  const postgresBefore = postgresCpuSeconds();
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const used = process.cpuUsage(cpu);
  const postgresSeconds = postgresCpuSeconds() - postgresBefore;
  const r = JSON.parse(stdout) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number };
  const requests = Math.max(1, r.requests.total);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, cpuUsPerRequest: (used.user + used.system) / requests, postgresUsPerRequest: (postgresSeconds * 1e6) / requests };
}

/** One warm-up second, then the measured run. */
async function measure(url: string, headers: Record<string, string> = {}): Promise<Load> {
  await autocannon(url, headers, 1);
  return autocannon(url, headers, SECONDS);
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function runOn(dialect: "sqlite" | "postgres", bareUrl: string): Promise<BenchRow[]> {
  const fixture = await startIdentityFixture(dialect);
  try {
    const token = await fixture.idp.issueToken(TEST_ACCOUNTS.activeUser);
    const first = await (await fixture.as(TEST_ACCOUNTS.activeUser, token)).get("/me/status");
    if (first.status !== 200 || first.body.data.enrolled !== true) throw new Error(`unexpected /me/status answer ${first.status} ${first.text}`);
    fixture.server.ctx.log.level = "warn"; // production logs go to a pipe; the fixture's go to memory
    const bare = await measure(bareUrl);
    const status = await measure(`${fixture.server.url}/api/v1/me/status`, { authorization: `Bearer ${token}` });
    if (status.non2xx > 0) throw new Error(`${status.non2xx} non-2xx answers from /me/status`);
    const ratio = status.rps / bare.rps;
    const group = `me/status · ${dialect} · ${CONNECTIONS} connections`;
    return [
      { group, figure: "bare Express handler, same JSON: req/s", value: Math.round(bare.rps), unit: "req/s" },
      { group, figure: "bare Express handler: p50 / p99", value: bare.p50, unit: `/ ${bare.p99} ms` },
      { group, figure: "GET /me/status (bearer token): req/s", value: Math.round(status.rps), unit: "req/s" },
      { group, figure: "GET /me/status: p50 / p99", value: status.p50, unit: `/ ${status.p99} ms` },
      { group, figure: "ratio to the bare handler", value: round(ratio), unit: "×", target: "≥ 0.6×", ok: ratio >= 0.6 },
      { group, figure: "server process CPU per request: bare handler / GET /me/status", value: Math.round(bare.cpuUsPerRequest), unit: `/ ${Math.round(status.cpuUsPerRequest)} µs` },
      ...(dialect === "postgres" ? [{ group, figure: "PostgreSQL's own CPU per GET /me/status (same 2 cores as the server and autocannon)", value: Math.round(status.postgresUsPerRequest), unit: "µs" }] : []),
    ];
  } finally {
    await fixture.close();
  }
}

export default async function run(): Promise<BenchRow[]> {
  // The bare handler answers the very body /me/status answers (set once the fixture is up).
  let body = "{}";
  const bare = express();
  bare.get("/status", (_req, res) => {
    res.type("application/json").send(body);
  });
  const bareServer = bare.listen(0, "127.0.0.1");
  bareServer.on("connection", (socket) => socket.setNoDelay(true));
  await new Promise((resolve) => bareServer.once("listening", resolve));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/status`;
  const rows: BenchRow[] = [];
  try {
    const probe = await startIdentityFixture("sqlite");
    try {
      const token = await probe.idp.issueToken(TEST_ACCOUNTS.activeUser);
      body = (await (await probe.as(TEST_ACCOUNTS.activeUser, token)).get("/me/status")).text;
    } finally {
      await probe.close();
    }
    rows.push(...(await runOn("sqlite", bareUrl)));
    const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_PG;
    if (await postgresAnswers(url)) {
      process.env.TEST_DATABASE_URL = url; // the fixture's server reads it for its fresh schema
      rows.push(...(await runOn("postgres", bareUrl)));
    } else {
      console.error("PostgreSQL does not answer: me/status PostgreSQL figures skipped.");
    }
  } finally {
    await new Promise((resolve) => bareServer.close(resolve));
  }
  return rows;
}
