// `npm start` (the server) and `npm run worker` (`node scripts/start.mjs worker`: jobs and monitoring
// without HTTP): builds the panel when it is missing or older than its sources, bundles the server when
// its sources changed, then runs it with the production runtime settings (scripts/server-runtime.mjs).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { buildServer, newestMtime, NODE_FLAGS, ROOT, runtimeEnv } from "./server-runtime.mjs";

const worker = process.argv[2] === "worker";
const built = path.join(ROOT, "dist/client/index.html");

if (!worker) {
  const clientDirs = ["client", "contract"].map((d) => path.join(ROOT, d)).filter(existsSync);
  const stale =
    !existsSync(built) || Math.max(...clientDirs.map((dir) => newestMtime(dir))) > statSync(built).mtimeMs;
  if (existsSync(path.join(ROOT, "client/index.html")) && stale) {
    console.log("Building the panel (vite build)...");
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"],
      { cwd: ROOT, stdio: "inherit" },
    );
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
const [entry] = await buildServer([worker ? "server/worker.ts" : "server/main.ts"]);
const child = spawn(process.execPath, [...NODE_FLAGS, entry], {
  cwd: ROOT,
  stdio: "inherit",
  env: runtimeEnv(),
});
// Ctrl+C reaches the child through the terminal; a SIGTERM sent to this launcher (a process manager) is passed on.
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
process.on("SIGINT", () => undefined);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
