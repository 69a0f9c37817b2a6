/**
 * The status view's first-load JavaScript (gzip), counting every JS file the page loads (DESIGN.md,
 * "Performance budgets"). Builds the client into a temporary folder, so dist/client is left alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { measurePage, STATUS_FIRST_LOAD_BUDGET_KB } from "../scripts/bundle-size";
import type { Benchmark } from "./lib";

const root = path.resolve(import.meta.dirname, "..");

const bundleSize: Benchmark = async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), "msa-bundle-"));
  try {
    const build = spawnSync(
      process.execPath,
      [
        path.join(root, "node_modules/vite/bin/vite.js"),
        "build",
        "--outDir",
        outDir,
        "--emptyOutDir",
        "--logLevel",
        "warn",
      ],
      { cwd: root, stdio: "inherit" },
    );
    if (build.status !== 0) throw new Error("vite build failed");
    const weight = await measurePage(outDir, "status.html");
    return [
      {
        group: "status view",
        figure: `first-load JS gzip (${weight.firstLoad.length} files)`,
        value: weight.firstLoadGzipKb,
        unit: "KB",
        target: `≤ ${STATUS_FIRST_LOAD_BUDGET_KB} KB`,
        ok: weight.firstLoadGzipKb <= STATUS_FIRST_LOAD_BUDGET_KB,
      },
      {
        group: "status view",
        figure: `lazy JS gzip: teams-js, MSAL (${weight.lazy.length} files)`,
        value: weight.lazyGzipKb,
        unit: "KB",
      },
    ];
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
};

export default bundleSize;
