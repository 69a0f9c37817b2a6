/**
 * EWS client cost against the simulator in a child process (so its CPU isn't counted): CPU per EWS call
 * of an impersonated check (one GetFolder of Inbox and Calendar) with ews-javascript-api over our keep-alive IXHRApi,
 * the same SOAP as a bare keep-alive POST for comparison, and calls/s at concurrency 10.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { readFileSync } from "node:fs";
import { BasePropertySet, Folder, PropertySet, WellKnownFolderName } from "ews-javascript-api";
import { EwsEnvironment, type EwsAccount } from "../server/ews/client";
import { round, type BenchRow } from "./lib";

const ROOT = path.resolve(import.meta.dirname, "..");
const LOGON = "svc-sync@contoso.com";
const PASSWORD = "Service-Pass-1!";

async function startSimulatorProcess(): Promise<{ child: ChildProcess; ewsUrl: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/ews-simulator/cli.ts", "--port", "0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ewsUrl = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /EWS URL: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`simulator exited (${code})`)));
  });
  return { child, ewsUrl };
}

async function runConcurrent(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await fn(next++);
    }),
  );
}

/** CPU ms (user + system) and wall ms of `total` runs at `concurrency`. */
async function measure(total: number, concurrency: number, fn: (i: number) => Promise<unknown>) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await runConcurrent(total, concurrency, fn);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: wall };
}

export default async function ewsClientBench(): Promise<BenchRow[]> {
  const { child, ewsUrl } = await startSimulatorProcess();
  const tenant = JSON.parse(
    readFileSync(path.join(ROOT, "server/ews-simulator/demo-tenant.json"), "utf8"),
  ) as { mailboxes: { primarySmtpAddress: string; kind?: string }[] };
  const users = tenant.mailboxes
    .filter((m) => (m.kind ?? "user") === "user" && /\.(vance|wilber|kim)\d*@/.test(m.primarySmtpAddress))
    .map((m) => m.primarySmtpAddress)
    .slice(0, 50);
  const env = new EwsEnvironment({ allowedHosts: ["127.0.0.1"] });
  const account: EwsAccount = {
    profileId: "bench",
    ewsUrl,
    credentials: { kind: "basic", logon: LOGON, password: PASSWORD },
  };
  const client = env.client(account);
  const idOnly = new PropertySet(BasePropertySet.IdOnly);
  /** DESIGN.md's reference call: one impersonated GetFolder of the Inbox through the library. */
  const bindInbox = async (user: string) => {
    const r = await client.run(user, () =>
      Folder.Bind(env.service(account, user), WellKnownFolderName.Inbox, idOnly),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.failure));
  };
  try {
    const CHECKS = 1500;
    // One GetFolder with Inbox and Calendar per check (see EwsClient.bindInboxAndCalendar).
    const CALLS_PER_CHECK = 1;
    // Warm-up: JIT, sockets, service objects, room cache.
    await runConcurrent(300, 10, async (i) => {
      const r = await client.check(users[i % users.length]);
      if (!r.ok) throw new Error(`check failed: ${JSON.stringify(r.failure)}`);
    });
    const lib = await measure(CHECKS, 10, (i) => client.check(users[i % users.length]));
    await runConcurrent(200, 10, (i) => bindInbox(users[i % users.length]));
    const single = await measure(CHECKS, 10, (i) => bindInbox(users[i % users.length]));

    // The same SOAP as a bare keep-alive POST (no library): the floor for comparison.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const url = new URL(ewsUrl);
    const soap = (user: string) =>
      `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013"/><t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${user}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header><soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`;
    const auth = `Basic ${Buffer.from(`${LOGON}:${PASSWORD}`).toString("base64")}`;
    const post = (user: string) =>
      new Promise<void>((resolve, reject) => {
        const body = Buffer.from(soap(user));
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            agent,
            headers: {
              "Content-Type": "text/xml; charset=utf-8",
              Authorization: auth,
              "Content-Length": body.length,
            },
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
    await runConcurrent(300, 10, (i) => post(users[i % users.length]));
    const bare = await measure(CHECKS * CALLS_PER_CHECK, 10, (i) => post(users[i % users.length]));
    agent.destroy();

    const calls = CHECKS * CALLS_PER_CHECK;
    const perCall = single.cpuMs / CHECKS;
    return [
      {
        group: "EWS client · ews-javascript-api + keep-alive IXHRApi",
        figure: "client CPU per EWS call (impersonated GetFolder of Inbox, concurrency 10)",
        value: round(perCall),
        unit: "ms",
        target: "≤ 0.8 ms",
        ok: perCall <= 0.8,
      },
      {
        group: "EWS client · ews-javascript-api + keep-alive IXHRApi",
        figure: "client CPU per impersonated check (one GetFolder of Inbox + Calendar, room-kind lookup)",
        value: round(lib.cpuMs / CHECKS),
        unit: "ms",
      },
      {
        group: "EWS client · ews-javascript-api + keep-alive IXHRApi",
        figure: "EWS calls/s at concurrency 10 (simulator, 0 ms latency)",
        value: Math.round(calls / (lib.wallMs / 1000)),
        unit: "calls/s",
      },
      {
        group: "EWS client · bare keep-alive POST (floor)",
        figure: "client CPU per EWS call (same SOAP, no library)",
        value: round(bare.cpuMs / calls),
        unit: "ms",
      },
      {
        group: "EWS client · bare keep-alive POST (floor)",
        figure: "EWS calls/s at concurrency 10",
        value: Math.round(calls / (bare.wallMs / 1000)),
        unit: "calls/s",
      },
    ];
  } finally {
    env.close();
    child.kill("SIGTERM");
  }
}
