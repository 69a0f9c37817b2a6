/**
 * The product's server as `npm start` runs it (bundled by esbuild, plain Node, the production V8 and malloc
 * settings of scripts/server-runtime.mjs), alone in a child process so the benchmarks read its own CPU
 * and memory from /proc, apart from the load generator, the simulator and the identity provider.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { buildServer, NODE_FLAGS, runtimeEnv } from "../scripts/server-runtime.mjs";
import { round } from "./lib";

export const BENCH_ADMIN = { email: "bench@example.com", password: "Bench-Password-123" };

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** The SQLite file (when DATABASE_URL is empty) and the secret key live here. */
  dataDir: string;
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number;
  /** Resident and peak resident memory (VmRSS, VmHWM), MB. */
  memoryMb(): { rss: number; peak: number };
  /** SIGTERM, SIGKILL after a second; then removes DATA_DIR unless `keepData` (to start again on it). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** CPU seconds (user + system) process `pid` has used, from /proc (clock ticks of 10 ms). */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS and VmHWM of process `pid`, in MB. */
export function memoryMbOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? 0);
  return { rss: round(kb("VmRSS") / 1024), peak: round(kb("VmHWM") / 1024) };
}

/**
 * The first line of a child's standard output that matches `pattern` (rejects if the child exits first).
 * The rest of the output is drained unread: a server's log lines must cost the benchmark nothing.
 */
export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`child process exited with ${code} before printing ${pattern}`)),
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const match = pattern.exec(line);
      if (!match) return;
      lines.close();
      child.stdout!.resume();
      resolve(match);
    });
  });
}

/** With `BENCH_PROFILE_DIR` set, the flags that make a process write a V8 CPU profile there. */
export function profileFlags(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Starts the server (bench/bulk-check-server.ts, bundled) on a free port with a fresh DATA_DIR, the
 * bench admin and SQLite unless `env` sets DATABASE_URL; `env` adds or overrides settings. `dataDir`: start
 * on a stopped server's data instead.
 * `BENCH_PROFILE_DIR` set: the process writes a V8 CPU profile there.
 * @example const server = await startServerProcess({ JOBS_RUNNER: "on" }); ... server.stop();
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(path.join(tmpdir(), "msa-bench-")),
): Promise<ServerProcess> {
  const [bundle] = await buildServer(["bench/bulk-check-server.ts"]);
  const child = spawn(process.execPath, [...profileFlags(), ...NODE_FLAGS, bundle], {
    env: {
      ...runtimeEnv(),
      PORT: "0",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      JOBS_RUNNER: "off",
      MONITOR_INTERVAL_MINUTES: "0",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const { url } = JSON.parse((await waitForLine(child, /^\{"url".*$/))[0]) as { url: string };
  const pid = child.pid!;
  const stop = async ({ keepData = false } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 1000);
      await exited;
      clearTimeout(timer);
    }
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, child, dataDir, cpuSeconds: () => cpuSecondsOf(pid), memoryMb: () => memoryMbOf(pid), stop };
}
