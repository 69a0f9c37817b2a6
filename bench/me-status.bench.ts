/**
 * `GET /api/v1/me/status` (polled by every side pane) with an end user's bearer token, through the whole
 * server (helmet, request log, token validation, one indexed query), against a bare Express handler
 * answering a small JSON body on the same machine. Budget: ≥ 0.6× the bare handler's requests/s.
 */
import type { AddressInfo } from "node:net";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import express from "express";
import { startIdentityFixture } from "../test/helpers/identity";
import { TEST_ACCOUNTS } from "../test/idp";
import { round, type BenchRow } from "./lib";

const CONNECTIONS = 10;
const SECONDS = 5;

const AUTOCANNON = path.resolve(import.meta.dirname, "../node_modules/autocannon/autocannon.js");

/** Load from another process, so the load generator doesn't share the server's one thread. */
async function autocannon(url: string, headers: Record<string, string>, seconds: number) {
  const args = [AUTOCANNON, "--json", "-c", String(CONNECTIONS), "-d", String(seconds), ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}=${v}`]), url];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as { requests: { average: number }; latency: { p99: number }; non2xx: number };
}

async function requestsPerSecond(url: string, headers: Record<string, string> = {}): Promise<{ rps: number; p99: number; non2xx: number }> {
  // Warm up (JIT, JWKS fetch, first link) before measuring.
  await autocannon(url, headers, 1);
  const result = await autocannon(url, headers, SECONDS);
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

export default async function run(): Promise<BenchRow[]> {
  const bare = express();
  bare.get("/status", (_req, res) => {
    res.json({ data: { enrolled: true, state: "active" } });
  });
  const bareServer = bare.listen(0, "127.0.0.1");
  bareServer.on("connection", (socket) => socket.setNoDelay(true));
  await new Promise((resolve) => bareServer.once("listening", resolve));
  const fixture = await startIdentityFixture("sqlite");
  try {
    const token = await fixture.idp.issueToken(TEST_ACCOUNTS.activeUser);
    const first = await (await fixture.as(TEST_ACCOUNTS.activeUser, token)).get("/me/status");
    if (first.status !== 200 || first.body.data.enrolled !== true) throw new Error(`unexpected /me/status answer ${first.status} ${first.text}`);
    // The request log is part of the real server, but at "info" it writes to memory in the fixture: make it quiet as in production logs go to a pipe.
    fixture.server.ctx.log.level = "warn";
    const baseline = await requestsPerSecond(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/status`);
    const status = await requestsPerSecond(`${fixture.server.url}/api/v1/me/status`, { authorization: `Bearer ${token}` });
    if (status.non2xx > 0) throw new Error(`${status.non2xx} non-2xx answers from /me/status`);
    const ratio = status.rps / baseline.rps;
    return [
      { group: "me/status", figure: `bare Express handler req/s (${CONNECTIONS} connections)`, value: Math.round(baseline.rps), unit: "req/s" },
      { group: "me/status", figure: `GET /me/status with bearer token req/s`, value: Math.round(status.rps), unit: "req/s" },
      { group: "me/status", figure: "GET /me/status p99 latency", value: status.p99, unit: "ms" },
      { group: "me/status", figure: "ratio to bare handler", value: round(ratio), unit: "×", target: "≥ 0.6×", ok: ratio >= 0.6 },
    ];
  } finally {
    await fixture.close();
    await new Promise((resolve) => bareServer.close(resolve));
  }
}
