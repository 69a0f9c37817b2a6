/**
 * `npm run bench [-- <name>...]`: runs the registered benchmarks in sequence, prints one aligned table
 * and writes bench/results/latest.json (figures of benchmarks not run this time are kept).
 * To add a benchmark: write `bench/<name>.bench.ts` exporting `default async function (): Promise<BenchRow[]>`
 * and add one line to `benchmarks` below.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import type { Benchmark, BenchRow } from "./lib";

export type { Benchmark, BenchRow } from "./lib";

const benchmarks: Record<string, () => Promise<{ default: Benchmark }>> = {
  "user-list": () => import("./user-list.bench"),
  "me-status-load": () => import("./me-status-load.bench"),
  "ews-client": () => import("./ews-client.bench"),
  "bundle-size": () => import("./bundle-size.bench"),
  "admin-bundle": () => import("./admin-bundle.bench"),
  "bulk-check": () => import("./bulk-check.bench"),
  "bulk-restart": () => import("./bulk-restart.bench"),
  "bulk-capacity": () => import("./bulk-capacity.bench"),
  "adaptive-limit": () => import("./adaptive-limit.bench"),
  "rss-paging": () => import("./rss-paging.bench"),
  "ews-gateway": () => import("./ews-gateway.bench"),
  "graph-gateway": () => import("./graph-gateway.bench"),
  "autodiscover-parse": () => import("./autodiscover-parse.bench"),
  problems: () => import("./problems.bench"),
  overview: () => import("./overview.bench"),
};

interface Results {
  updatedAt: string;
  machine?: string;
  benchmarks: Record<string, { ranAt: string; seconds: number; rows: BenchRow[]; error?: string }>;
}

const RESULTS = path.join(import.meta.dirname, "results", "latest.json");

function formatTable(rows: (BenchRow & { bench: string })[]): string {
  const cells = rows.map((r) => [
    r.bench,
    r.group,
    r.figure,
    `${r.value} ${r.unit}`,
    r.target ?? "",
    r.ok === undefined ? "" : r.ok ? "ok" : "MISSED",
  ]);
  const header = ["benchmark", "group", "figure", "value", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 3 ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = wanted.filter((w) => !(w in benchmarks));
  if (unknown.length) {
    console.error(`Unknown benchmark: ${unknown.join(", ")}. Known: ${Object.keys(benchmarks).join(", ")}`);
    process.exit(2);
  }
  const names = wanted.length ? wanted : Object.keys(benchmarks);
  const results: Results = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, "utf8")) as Results)
    : { updatedAt: "", benchmarks: {} };
  const printed: (BenchRow & { bench: string })[] = [];
  let failed = false;
  for (const name of names) {
    console.error(`▶ ${name}`);
    const start = Date.now();
    try {
      const run = (await benchmarks[name]()).default;
      const rows = await run();
      results.benchmarks[name] = {
        ranAt: new Date().toISOString(),
        seconds: (Date.now() - start) / 1000,
        rows,
      };
      printed.push(...rows.map((r) => ({ ...r, bench: name })));
    } catch (err) {
      failed = true;
      console.error(`✖ ${name} failed:`, err);
      results.benchmarks[name] = {
        ranAt: new Date().toISOString(),
        seconds: (Date.now() - start) / 1000,
        rows: [],
        error: String(err),
      };
    }
  }
  // Timings on a busy machine mean little: say how busy it was.
  const machine = `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")} (1/5/15 min) on ${cpus().length} CPUs`;
  results.updatedAt = new Date().toISOString();
  results.machine = machine;
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatTable(printed));
  console.log(`\n${machine}. Written to ${path.relative(process.cwd(), RESULTS)}`);
  process.exit(failed ? 1 : 0);
}

await main();
