import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The project's root (the folder holding package.json), found by walking up from this module. The
 * server runs from its sources (tsx: server/) and from its build (dist/server/), so files next to the
 * sources (the panel build, the manifest and its icons) are resolved from the root, not from the module.
 * @example const icons = projectPath("manifest/icons");
 */
export const PROJECT_ROOT = findRoot(import.meta.dirname);

/** A path inside the project. */
export const projectPath = (...segments: string[]) => path.join(PROJECT_ROOT, ...segments);

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${start}`);
  }
}
