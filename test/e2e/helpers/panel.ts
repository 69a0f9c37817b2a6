import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { startTestServer, type TestServer, type TestServerOptions } from "../../helpers/server";

const root = path.resolve(import.meta.dirname, "../../..");
const builtIndex = path.join(root, "dist/client/index.html");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the panel with Vite when dist/client is missing or older than client/ and contract/ (as `npm start` does). */
export function ensurePanelBuilt(): void {
  const sources = ["client", "contract"].map((d) => path.join(root, d)).filter(existsSync);
  const stale = !existsSync(builtIndex) || Math.max(...sources.map(newestMtime), statSync(path.join(root, "vite.config.ts")).mtimeMs) > statSync(builtIndex).mtimeMs;
  if (!stale) return;
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], {
    cwd: root,
    stdio: "inherit",
    // Vitest sets NODE_ENV=test, which would give a development build: test what `npm start` serves.
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error("vite build failed");
}

/**
 * Starts the real server on SQLite (in memory) serving the built panel; build it first if needed.
 * @example const server = await startPanelServer(); await page.goto(server.url);
 */
export async function startPanelServer(options: TestServerOptions = {}): Promise<TestServer> {
  ensurePanelBuilt();
  return startTestServer({ dialect: "sqlite", ...options });
}
