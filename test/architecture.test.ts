import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}
interface CruiseResult {
  modules: { source: string; dependencies: { resolved: string; coreModule: boolean }[] }[];
  summary: { violations: Violation[] };
}

/** Runs dependency-cruiser with .dependency-cruiser.cjs over the code and answers its JSON result. */
async function cruise(): Promise<CruiseResult> {
  const bin = path.join(root, "node_modules", ".bin", "depcruise");
  const { stdout } = await promisify(execFile)(
    bin,
    ["--config", ".dependency-cruiser.cjs", "--output-type", "json", "server", "contract", "client"],
    { cwd: root, maxBuffer: 256 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => {
    // depcruise exits non-zero when it finds violations; its JSON is still on stdout.
    if (error.stdout) return { stdout: error.stdout };
    throw error;
  });
  return JSON.parse(stdout) as CruiseResult;
}

/** Server's top-level folder of a path (`server/jobs/runner.ts` → `jobs`); files directly in server/ are `server`. */
function folderOf(file: string): string | undefined {
  const m = /^server\/([^/]+)\//.exec(file);
  if (m) return m[1];
  return file.startsWith("server/") ? "(server)" : undefined;
}

/** Strongly connected groups of more than one folder (Tarjan). */
function folderCycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("architecture (docs/ARCHITECTURE.md, .dependency-cruiser.cjs)", () => {
  let result: CruiseResult;
  const cruised = async () => (result ??= await cruise());

  it("has no cycle between files, type-only imports included", async () => {
    const cycles = (await cruised()).summary.violations
      .filter((v) => v.rule.name === "no-circular")
      .map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(" → "));
    expect(cycles).toEqual([]);
  });

  it("follows the layer rules and keeps the query builder in server/store", async () => {
    const broken = (await cruised()).summary.violations
      .filter((v) => v.rule.name !== "no-circular")
      .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(broken).toEqual([]);
  });

  it("has no cycle between server's top-level folders (production code; the server's own files aside)", async () => {
    const edges = new Map<string, Set<string>>();
    for (const m of (await cruised()).modules) {
      if (/\.test\.tsx?$/.test(m.source) || m.source.includes("/testing/")) continue;
      const from = folderOf(m.source);
      if (!from || from === "(server)") continue;
      for (const d of m.dependencies) {
        const to = d.coreModule ? undefined : folderOf(d.resolved);
        if (!to || to === from || to === "(server)") continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    expect(folderCycles(edges)).toEqual([]);
  });

  it("reaches the store's query builder (`store.db`) only in server/store, test/factories and the named exceptions", async () => {
    // A property access isn't an import, so dependency-cruiser can't see it: the sources are read here.
    const config = (await import(path.join(root, ".dependency-cruiser.cjs"))) as Record<
      "STORE_USERS_ASIDE" | "TESTS" | "STORE_DB_EXCEPTIONS" | "TEST_DB_EXCEPTIONS",
      string[]
    >;
    const patterns = (list: string[]) => list.map((p) => new RegExp(p));
    const aside = patterns(config.STORE_USERS_ASIDE);
    const tests = patterns(config.TESTS);
    const testExceptions = patterns(config.TEST_DB_EXCEPTIONS);
    const serverExceptions = patterns(config.STORE_DB_EXCEPTIONS);
    const allowed = (f: string) =>
      aside.some((re) => re.test(f)) ||
      (tests.some((re) => re.test(f)) ? testExceptions : serverExceptions).some((re) => re.test(f));
    // `store.db`, `store!.db`, `store?.db`; not a file named "store.db" in a string.
    const reach = /(?<!["'`])\bstore[!?]?\.db\b(?!["'`])/;
    const offending = (await cruised()).modules
      .map((m) => m.source)
      .filter((f) => /\.(ts|tsx)$/.test(f) && !allowed(f))
      .filter((f) => reach.test(readFileSync(path.join(root, f), "utf8")));
    expect(offending).toEqual([]);
  });
});
