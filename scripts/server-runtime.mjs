// How the server runs in production (`npm start`, `npm run worker`) and in the benchmarks that measure
// it: bundled once with esbuild (our code only; packages stay in node_modules), run by plain Node with
// memory settings sized for a small service. tsx is for development (`npm run dev`) and tests.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
const OUT_DIR = path.join(ROOT, "dist/server");
const SOURCE_DIRS = ["server", "contract", "manifest", "bench"].map((d) => path.join(ROOT, d));

/**
 * V8 settings (measured with `npm run bench -- bulk-check`, see docs/OPERATIONS.md):
 * - a 2 MB semi-space: the young generation otherwise grows to 48 MB while modules load and stays there;
 * - old-generation growth of 1.5× the live heap per collection instead of up to 4×: the live heap of a
 *   10,000-user job is ~50 MB, but without this V8 lets garbage pile up to ~180 MB between collections.
 *   A growth factor, not a cap: the heap still grows as far as real data needs.
 */
export const NODE_FLAGS = ["--max-semi-space-size=2", "--heap-growing-percent=50", "--enable-source-maps"];

/** glibc: two malloc arenas instead of one per thread (8 × cores); ~25 MB less native memory, same speed. */
export function runtimeEnv(env = process.env) {
  return { MALLOC_ARENA_MAX: "2", ...env };
}

/** The newest modification time (ms) of the files below `dir` whose names match `only`. */
export function newestMtime(dir, only = /./) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, only));
    else if (only.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Bundles `entries` (project-relative .ts files) into dist/server/<name>.mjs when a source is newer than
 * the bundle; answers the bundles' paths in the same order.
 * @example const [main] = await buildServer(["server/main.ts"]);
 */
export async function buildServer(entries) {
  const outputs = entries.map((e) => path.join(OUT_DIR, `${path.basename(e, ".ts")}.mjs`));
  const newestSource = Math.max(
    ...SOURCE_DIRS.filter(existsSync).map((dir) => newestMtime(dir, /\.(ts|json)$/)),
  );
  const stale = outputs.some((o) => !existsSync(o) || statSync(o).mtimeMs < newestSource);
  if (stale) {
    const { build } = await import("esbuild");
    for (const [i, entry] of entries.entries()) {
      await build({
        entryPoints: [path.join(ROOT, entry)],
        outfile: outputs[i],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        packages: "external",
        sourcemap: true,
        logLevel: "warning",
      });
    }
  }
  return outputs;
}
