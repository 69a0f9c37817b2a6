/**
 * The admin panel's first load (index.html): every JS file its script and modulepreload tags load and
 * their static imports, gzip, beside what its lazy pages add. DESIGN.md sets a budget only for the
 * status view (bundle-size module); the panel's figure is recorded to see it move between runs.
 * Builds the client into a temporary folder, so dist/client is left alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { measurePage } from "../scripts/bundle-size";
import type { Benchmark } from "./lib";

const root = path.resolve(import.meta.dirname, "..");

const adminBundle: Benchmark = async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), "msa-admin-bundle-"));
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
    const weight = await measurePage(outDir, "index.html");
    const largest = [...weight.firstLoad].sort((a, b) => b.gzipBytes - a.gzipBytes)[0];
    return [
      {
        group: "admin panel",
        figure: `first-load JS gzip (${weight.firstLoad.length} files)`,
        value: weight.firstLoadGzipKb,
        unit: "KB",
      },
      {
        group: "admin panel",
        figure: `largest first-load file: ${largest ? path.basename(largest.file) : "-"}`,
        value: largest ? Math.round(largest.gzipBytes / 100) / 10 : 0,
        unit: "KB",
      },
      {
        group: "admin panel",
        figure: `lazy JS gzip: pages, teams-js, MSAL (${weight.lazy.length} files)`,
        value: weight.lazyGzipKb,
        unit: "KB",
      },
    ];
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
};

export default adminBundle;
