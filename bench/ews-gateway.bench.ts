/**
 * EWS gateway overhead: the same impersonated GetFolder sent straight to the simulator (with the
 * credentials and impersonation header the caller would otherwise need) and through the product's
 * gateway with a service key. The server runs in a child process so its CPU is read from /proc:
 * all of it is overhead a direct call doesn't have. Target: ≤ 1 ms added CPU per call. Beside it, the same
 * calls through a bare node:http proxy (bench/bare-proxy.mjs): what any Node proxy costs on this machine.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { ApiClient } from "../test/helpers/server";
import { quantile, round, type BenchRow } from "./lib";
import { BENCH_ADMIN, cpuSecondsOf, startServerProcess, waitForLine } from "./server-process";

const ROOT = path.resolve(import.meta.dirname, "..");
const LOGON = "svc-sync@contoso.com";
const PASSWORD = "Service-Pass-1!";
// Rounds × calls stay under the service key rate limit (6,000 a minute), warm-up included.
const CALLS = 1500;
const ROUNDS = 3;
const CONCURRENCY = 10;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

const soap = (impersonate?: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013"/>${impersonate ? `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${impersonate}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>` : ""}</soap:Header><soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`;

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "text/xml; charset=utf-8",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function timed(
  total: number,
  fn: () => Promise<number>,
): Promise<{ latencies: number[]; cpuMs: number; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < total) {
        const started = performance.now();
        if ((await fn()) !== 200) failures += 1;
        latencies.push(performance.now() - started);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { latencies, cpuMs: (used.user + used.system) / 1000, failures };
}

export default async function ewsGatewayBench(): Promise<BenchRow[]> {
  const sim = spawn(process.execPath, ["--import", "tsx", "server/ews-simulator/cli.ts", "--port", "0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ewsUrl = (await waitForLine(sim, /EWS URL: (\S+)/))[1];
  // The server as `npm start` runs it: bundled, plain Node, the production memory settings.
  const server = await startServerProcess({ EWS_ALLOWED_HOSTS: "127.0.0.1", JOBS_RUNNER: "on" });
  try {
    const base = server.url;
    const admin = new ApiClient(base);
    await admin.signIn(BENCH_ADMIN.email, BENCH_ADMIN.password);
    const profileId = (await admin.post("/profiles", { name: "Gateway bench" })).body.data.id as string;
    await admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: LOGON,
      password: PASSWORD,
      ewsUrl,
    });
    const mailbox = "jane.doe@contoso.com";
    await admin.post(`/profiles/${profileId}/users`, { text: mailbox });
    const jobId = (await admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" })).body.data
      .id as string;
    for (let i = 0; i < 100 && (await admin.get(`/jobs/${jobId}`)).body.data.state !== "done"; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const key = (await admin.post("/service-keys", { name: "bench", scopes: ["ews:proxy"] })).body.data
      .key as string;

    const basic = `Basic ${Buffer.from(`${LOGON}:${PASSWORD}`).toString("base64")}`;
    const directCall = () =>
      post(ewsUrl, soap(mailbox), { authorization: basic, "x-anchormailbox": mailbox });
    const gatewayUrl = `${base}/api/v1/sync/mailboxes/${encodeURIComponent(mailbox)}/ews`;
    const gatewayCall = () => post(gatewayUrl, soap(), { authorization: `Bearer ${key}` });

    await timed(300, directCall);
    await timed(300, gatewayCall);
    const direct = await timed(CALLS, directCall);
    // Three rounds; the median round's server CPU is the figure (one round swings ±10 % on a shared VM).
    const rounds: { run: Awaited<ReturnType<typeof timed>>; cpuMs: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const before = server.cpuSeconds();
      const run = await timed(CALLS, gatewayCall);
      rounds.push({ run, cpuMs: (server.cpuSeconds() - before) * 1000 });
    }
    rounds.sort((a, b) => a.cpuMs - b.cpuMs);
    const { run: gateway, cpuMs: serverCpuMs } = rounds[Math.floor(ROUNDS / 2)];
    const gatewayFailures = rounds.reduce((n, r) => n + r.run.failures, 0);

    // The floor: a bare node:http proxy (bench/bare-proxy.mjs) forwarding the same calls.
    const bare = spawn(process.execPath, [path.join(ROOT, "bench/bare-proxy.mjs"), ewsUrl, LOGON, PASSWORD], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let bareCpuMs: number;
    try {
      const barePort = (await waitForLine(bare, /listening (\d+)/))[1];
      const bareCall = () =>
        post(`http://127.0.0.1:${barePort}/`, soap(mailbox), { "x-anchormailbox": mailbox });
      await timed(300, bareCall);
      const bareRounds: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const bareBefore = cpuSecondsOf(bare.pid!);
        const bareRun = await timed(CALLS, bareCall);
        if (bareRun.failures) throw new Error(`bare proxy: ${bareRun.failures} failed calls`);
        bareRounds.push((cpuSecondsOf(bare.pid!) - bareBefore) * 1000);
      }
      bareCpuMs = bareRounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
    } finally {
      bare.kill("SIGTERM");
    }

    const addedCpu = serverCpuMs / CALLS;
    const group = "EWS gateway";
    return [
      {
        group,
        figure: `added server CPU per proxied call (median of ${ROUNDS} rounds of ${CALLS} calls, concurrency ${CONCURRENCY})`,
        value: round(addedCpu),
        unit: "ms",
        target: "≤ 1 ms",
        ok: addedCpu <= 1,
      },
      {
        group,
        figure: "bare node:http proxy, forwarding only (bench/bare-proxy.mjs): CPU per call",
        value: round(bareCpuMs / CALLS),
        unit: "ms",
      },
      {
        group,
        figure: "gateway CPU per call beyond the bare proxy (auth, lookup, SOAP rewrite, limits, log)",
        value: round((serverCpuMs - bareCpuMs) / CALLS),
        unit: "ms",
      },
      {
        group,
        figure: "caller CPU per call: direct / through the gateway",
        value: round(gateway.cpuMs / CALLS - direct.cpuMs / CALLS),
        unit: "ms more",
        target: `direct ${round(direct.cpuMs / CALLS)} ms`,
      },
      { group, figure: "median latency, direct", value: round(quantile(direct.latencies, 0.5)), unit: "ms" },
      {
        group,
        figure: "median latency, through the gateway",
        value: round(quantile(gateway.latencies, 0.5)),
        unit: "ms",
      },
      {
        group,
        figure: "added median latency",
        value: round(quantile(gateway.latencies, 0.5) - quantile(direct.latencies, 0.5)),
        unit: "ms",
      },
      {
        group,
        figure: "p99 latency through the gateway",
        value: round(quantile(gateway.latencies, 0.99)),
        unit: "ms",
      },
      {
        group,
        figure: "failed calls (direct + gateway)",
        value: direct.failures + gatewayFailures,
        unit: "",
        target: "0",
        ok: direct.failures + gatewayFailures === 0,
      },
    ];
  } finally {
    await server.stop();
    sim.kill("SIGTERM");
    agent.destroy();
  }
}
