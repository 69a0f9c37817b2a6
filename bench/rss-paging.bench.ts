/**
 * Server memory after paging 100,000 users: the real server alone in a child process (SQLite file),
 * 100,000 users added through the API (10 profiles × 10,000 pasted lines), then every page of 100 of
 * every profile read by cursor through HTTP, plus a search and a state filter per profile. Reports
 * the server's RSS now and its peak (VmHWM) against the 200 MB budget DESIGN.md sets for the server.
 * (Server RSS after the 10,000-user job is in the bulk-check module.)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { ApiClient } from "../test/helpers/server";
import { buildServer, NODE_FLAGS, runtimeEnv } from "../scripts/server-runtime.mjs";
import { round, type BenchRow } from "./lib";

const PROFILES = 10;
const PER_PROFILE = 10_000;
const ADMIN = { email: "bench@example.com", password: "Bench-Password-123" };

/** VmRSS and VmHWM of a process, in MB. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? 0);
  return { rss: round(kb("VmRSS") / 1024), peak: round(kb("VmHWM") / 1024) };
}

export default async function run(): Promise<BenchRow[]> {
  // The server as `npm start` runs it: bundled, plain Node, the production memory settings.
  const [serverBundle] = await buildServer(["bench/bulk-check-server.ts"]);
  const dataDir = mkdtempSync(path.join(tmpdir(), "msa-bench-rss-"));
  const child = spawn(process.execPath, [...NODE_FLAGS, serverBundle], {
    env: { ...runtimeEnv(), PORT: "0", DATA_DIR: dataDir, DATABASE_URL: "", SECRET_KEY: Buffer.alloc(32, 3).toString("base64"), ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, JOBS_RUNNER: "off", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const { url } = JSON.parse(
      await new Promise<string>((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
        createInterface({ input: child.stdout }).on("line", (line) => {
          if (line.startsWith('{"url"')) resolve(line);
        });
      }),
    ) as { url: string };
    const idle = memoryMb(child.pid!);
    const admin = new ApiClient(url);
    await admin.signIn(ADMIN.email, ADMIN.password);
    const profileIds: string[] = [];
    for (let p = 0; p < PROFILES; p++) {
      const id = (await admin.post("/profiles", { name: `RSS ${p}` })).body.data.id as string;
      const text = ["address,displayName", ...Array.from({ length: PER_PROFILE }, (_, i) => `user${p}.${i}@dept${p}.contoso.com,User ${i} Dept${p}`)].join("\n");
      const added = await admin.post(`/profiles/${id}/users`, { text });
      if (added.body.data?.added !== PER_PROFILE) throw new Error(`import: ${added.status} ${added.text.slice(0, 200)}`);
      profileIds.push(id);
    }
    const afterImport = memoryMb(child.pid!);

    let pages = 0;
    let rowsRead = 0;
    const started = performance.now();
    for (const id of profileIds) {
      let cursor: string | null = null;
      do {
        const res = await admin.get(`/profiles/${id}/users?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
        if (res.status !== 200) throw new Error(`page: ${res.status} ${res.text.slice(0, 200)}`);
        rowsRead += (res.body.data as unknown[]).length;
        cursor = res.body.nextCursor as string | null;
        pages++;
      } while (cursor);
      await admin.get(`/profiles/${id}/users?limit=100&q=user1`);
      await admin.get(`/profiles/${id}/users?limit=100&state=not-activated`);
    }
    const seconds = (performance.now() - started) / 1000;
    if (rowsRead !== PROFILES * PER_PROFILE) throw new Error(`paged ${rowsRead} rows, expected ${PROFILES * PER_PROFILE}`);
    const afterPaging = memoryMb(child.pid!);
    const group = `server memory · sqlite · ${(PROFILES * PER_PROFILE).toLocaleString("en-US")} users`;
    return [
      { group, figure: "RSS idle after start (production build)", value: idle.rss, unit: "MB" },
      { group, figure: "RSS after adding the users through the API", value: afterImport.rss, unit: "MB" },
      { group, figure: `paging every user by cursor: ${pages} pages of 100 (HTTP)`, value: round(seconds), unit: "s" },
      { group, figure: "RSS after paging all users", value: afterPaging.rss, unit: "MB", target: "< 200 MB", ok: afterPaging.rss < 200 },
      { group, figure: "peak RSS (VmHWM) of the whole run", value: afterPaging.peak, unit: "MB", target: "< 200 MB", ok: afterPaging.peak < 200 },
    ];
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}
