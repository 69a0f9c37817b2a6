/**
 * `GET /api/v1/me/status` at 50 connections (DESIGN.md: every side pane polls it), on SQLite and on
 * PostgreSQL, each next to a bare Express handler answering the same JSON, measured one after the other
 * in this run: req/s, p50 and p99, and the ratio (target ≥ 0.6). The server runs as `npm start` runs it
 * (bench/server-process.ts), the bare handler the same way (bench/bare-status.mjs), each in its own
 * process; load comes from autocannon in a third, and the test identity provider that signs the token
 * stays in this one. On SQLite it also measures 10 connections. The target is judged with the server at
 * LOG_LEVEL=warn (no line per request, like the bare handler) and at the default LOG_LEVEL=info, one access
 * line per request (gathered in memory and written every 100 ms, server/log-destination.ts). Each
 * comparison is judged by the median of BENCH_ROUNDS (3) alternating rounds.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { NODE_FLAGS, runtimeEnv } from "../scripts/server-runtime.mjs";
import { openStore } from "../server/store/db";
import { ApiClient } from "../test/helpers/server";
import {
  startTestIdentityProvider,
  TEST_ACCOUNTS,
  type TestAccount,
  type TestIdentityProvider,
} from "../test/idp";
import { round, type BenchRow } from "./lib";
import { BENCH_ADMIN, cpuSecondsOf, profileFlags, startServerProcess, waitForLine } from "./server-process";

/** 50 connections, as DESIGN.md asks; on SQLite also 10, a lighter load. */
const CONNECTIONS = 50;
const LIGHT_CONNECTIONS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/**
 * Rounds of bare handler then /me/status, each comparison judged by its median round: on 2 cores shared
 * with the load generator (and PostgreSQL), one round's ratio moved by ±0.1 from run to run.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Distinct people polling: each request carries the next one's token (bench/rotating-load.mjs). */
const PEOPLE = 1000;
const LOAD = path.join(import.meta.dirname, "rotating-load.mjs");
const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test";

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** The measured server process's CPU per request, µs. */
  cpuUsPerRequest: number;
  /** PostgreSQL's own CPU (all its processes, from /proc) per request, µs. */
  postgresUsPerRequest: number;
}

/** CPU seconds used so far by every process named `postgres` (the local server and its backends). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/stat`, "utf8").includes("(postgres)")) continue;
      total += cpuSecondsOf(Number(pid));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

async function autocannon(
  url: string,
  tokenFile: string,
  seconds: number,
  serverPid: number,
  connections: number,
): Promise<Load> {
  const args = [LOAD, url, String(connections), String(seconds), tokenFile];
  const serverBefore = cpuSecondsOf(serverPid);
  const postgresBefore = postgresCpuSeconds();
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const serverSeconds = cpuSecondsOf(serverPid) - serverBefore;
  const postgresSeconds = postgresCpuSeconds() - postgresBefore;
  const r = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
  };
  const requests = Math.max(1, r.requests.total);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    cpuUsPerRequest: (serverSeconds * 1e6) / requests,
    postgresUsPerRequest: (postgresSeconds * 1e6) / requests,
  };
}

/** One warm-up second, then the measured run. */
async function measure(
  url: string,
  serverPid: number,
  tokenFile: string,
  connections: number,
): Promise<Load> {
  await autocannon(url, tokenFile, 1, serverPid, connections);
  return autocannon(url, tokenFile, SECONDS, serverPid, connections);
}

/** A fresh database on the PostgreSQL server at `url` (dropped by `drop`), or null when it doesn't answer. */
export async function freshPostgresDatabase(
  url: string,
): Promise<{ url: string; drop(): Promise<void> } | null> {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  const name = `msa_bench_${randomBytes(4).toString("hex")}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return {
    url: fresh.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** The people polling: members of the test tenant, each with a mailbox to find. */
const people: TestAccount[] = Array.from({ length: PEOPLE }, (_, i) => ({
  key: `person-${i}`,
  oid: `00000000-0000-4000-9000-${String(i).padStart(12, "0")}`,
  tid: TEST_ACCOUNTS.activeUser.tid,
  upn: `person.${i}@contoso.test`,
  name: `Person ${i}`,
  acct: 0,
}));

/** The settings of the measured server: trusting `idp`, on SQLite or the given PostgreSQL database. */
function serverEnv(idp: TestIdentityProvider, databaseUrl: string | null): Record<string, string> {
  return { ...idp.serverEnv(), DATABASE_URL: databaseUrl ?? "", EWS_ALLOWED_HOSTS: "127.0.0.1" };
}

/**
 * The server in its own process, trusting `idp`, with the people's mailboxes (active, synced) in a profile
 * with a saved mailbox access. Answers the server, a file of the people's tokens, and one person's
 * /me/status body; every mailbox is already linked by one /me/status call of its owner.
 */
async function enrolledServer(idp: TestIdentityProvider, databaseUrl: string | null) {
  const server = await startServerProcess(serverEnv(idp, databaseUrl));
  try {
    const admin = new ApiClient(server.url);
    await admin.signIn(BENCH_ADMIN.email, BENCH_ADMIN.password);
    const profileId = (await admin.post("/profiles", { name: "Sales" })).body.data.id as string;
    const access = await admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: "svc-sync@contoso.test",
      password: "Service-Password-1",
      ewsUrl: "https://127.0.0.1/EWS/Exchange.asmx",
    });
    if (access.status !== 200) throw new Error(`mailbox access: ${access.status} ${access.text}`);
    const added = await admin.post(`/profiles/${profileId}/users`, {
      text: people.map((p) => p.upn).join("\n"),
    });
    if (added.body.data?.added !== PEOPLE) {
      throw new Error(`add users: ${added.status} ${added.text.slice(0, 300)}`);
    }
    // Active mailboxes that have synced: the body a side pane shows most of the time.
    const store = await openStore(
      databaseUrl
        ? { databaseUrl, poolSize: 1 }
        : { sqliteFile: path.join(server.dataDir, "mailbox-sync.db") },
    );
    try {
      const now = new Date().toISOString();
      await store.db
        .updateTable("users")
        .set({ state: "active", lastCheckedAt: now, lastSyncAt: now })
        .execute();
    } finally {
      await store.close();
    }
    const tokens = await Promise.all(people.map((p) => idp.issueToken(p)));
    let body = "";
    for (const token of tokens) {
      const first = await new ApiClient(server.url, { authorization: `Bearer ${token}` }).get("/me/status");
      if (first.status !== 200 || first.body.data.enrolled !== true || first.body.data.state !== "active") {
        throw new Error(`unexpected /me/status answer ${first.status} ${first.text}`);
      }
      body = first.text;
    }
    const tokenFile = path.join(server.dataDir, "tokens.txt");
    writeFileSync(tokenFile, tokens.join("\n"));
    return { server, tokenFile, body };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The bare handler (bench/bare-status.mjs) answering `body`, run like the server. */
async function bareHandler(body: string) {
  const child = spawn(
    process.execPath,
    [...profileFlags(), ...NODE_FLAGS, path.join(import.meta.dirname, "bare-status.mjs"), body],
    { env: runtimeEnv(), stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = (await waitForLine(child, /^listening (\d+)$/))[1];
  return { url: `http://127.0.0.1:${port}/status`, pid: child.pid!, stop: () => child.kill("SIGTERM") };
}

interface Comparison {
  connections: number;
  /** The server's LOG_LEVEL: `warn` writes nothing per request, like the bare handler; `info` (the default) one access line. */
  logLevel: "warn" | "info";
}

/** Rows comparing /me/status with the bare handler under one load: the median round, and every round's ratio. */
function comparisonRows(
  dialect: string,
  { connections, logLevel }: Comparison,
  rounds: Array<{ bare: Load; status: Load }>,
): BenchRow[] {
  const ratios = rounds.map((r) => r.status.rps / r.bare.rps);
  const median = [...ratios.keys()].sort((a, b) => ratios[a] - ratios[b])[Math.floor(ratios.length / 2)];
  const { bare, status } = rounds[median];
  const ratio = ratios[median];
  const group = `me/status · ${dialect} · ${connections} connections${logLevel === "info" ? " · LOG_LEVEL=info" : ""}`;
  // Judged like for like (no log line on either side) and at the default level, an access line per request.
  const judged = {
    target: logLevel === "warn" ? "≥ 0.6×" : "≥ 0.6× (a log line per request)",
    ok: ratio >= 0.6,
  };
  return [
    { group, figure: "bare Express handler, same JSON: req/s", value: Math.round(bare.rps), unit: "req/s" },
    { group, figure: "bare Express handler: p50 / p99", value: bare.p50, unit: `/ ${bare.p99} ms` },
    {
      group,
      figure: `GET /me/status, ${PEOPLE} people taking turns: req/s`,
      value: Math.round(status.rps),
      unit: "req/s",
    },
    { group, figure: "GET /me/status: p50 / p99", value: status.p50, unit: `/ ${status.p99} ms` },
    {
      group,
      figure: `ratio to the bare handler (median of ${ratios.length} rounds: ${ratios.map((r) => round(r)).join(", ")})`,
      value: round(ratio),
      unit: "×",
      ...judged,
    },
    {
      group,
      figure: "server process CPU per request: bare handler / GET /me/status",
      value: Math.round(bare.cpuUsPerRequest),
      unit: `/ ${Math.round(status.cpuUsPerRequest)} µs`,
    },
    ...(dialect === "postgres"
      ? [
          {
            group,
            figure: "PostgreSQL's own CPU per GET /me/status (same 2 cores as the server and autocannon)",
            value: Math.round(status.postgresUsPerRequest),
            unit: "µs",
          },
        ]
      : []),
  ];
}

/**
 * Each comparison in turn on one dialect: the bare handler, then /me/status under the same load. The
 * server is restarted on the same data when the log level changes.
 */
async function runOn(
  dialect: "sqlite" | "postgres",
  idp: TestIdentityProvider,
  databaseUrl: string | null,
  comparisons: Comparison[],
): Promise<BenchRow[]> {
  const enrolled = await enrolledServer(idp, databaseUrl);
  let { server } = enrolled;
  let logLevel = "warn";
  const bareServer = await bareHandler(enrolled.body);
  const rows: BenchRow[] = [];
  try {
    for (const comparison of comparisons) {
      if (comparison.logLevel !== logLevel) {
        await server.stop({ keepData: true });
        server = await startServerProcess(
          { ...serverEnv(idp, databaseUrl), LOG_LEVEL: comparison.logLevel },
          server.dataDir,
        );
        logLevel = comparison.logLevel;
      }
      // The same load on both, tokens included (the bare handler ignores them), in alternating rounds.
      const rounds = [];
      for (let i = 0; i < ROUNDS; i++) {
        const bare = await measure(
          bareServer.url,
          bareServer.pid,
          enrolled.tokenFile,
          comparison.connections,
        );
        const status = await measure(
          `${server.url}/api/v1/me/status`,
          server.child.pid!,
          enrolled.tokenFile,
          comparison.connections,
        );
        if (status.non2xx > 0) throw new Error(`${status.non2xx} non-2xx answers from /me/status`);
        rounds.push({ bare, status });
      }
      rows.push(...comparisonRows(dialect, comparison, rounds));
    }
    return rows;
  } finally {
    bareServer.stop();
    await server.stop();
  }
}

export default async function run(): Promise<BenchRow[]> {
  const idp = await startTestIdentityProvider();
  const rows: BenchRow[] = [];
  try {
    rows.push(
      ...(await runOn("sqlite", idp, null, [
        { connections: CONNECTIONS, logLevel: "warn" },
        { connections: LIGHT_CONNECTIONS, logLevel: "warn" },
        { connections: CONNECTIONS, logLevel: "info" },
      ])),
    );
    const database = await freshPostgresDatabase(
      process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_PG,
    );
    if (database) {
      try {
        rows.push(
          ...(await runOn("postgres", idp, database.url, [
            { connections: CONNECTIONS, logLevel: "warn" },
            { connections: CONNECTIONS, logLevel: "info" },
          ])),
        );
      } finally {
        await database.drop();
      }
    } else {
      console.error("PostgreSQL does not answer: me/status PostgreSQL figures skipped.");
    }
  } finally {
    await idp.close();
  }
  return rows;
}
