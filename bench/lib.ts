import { performance } from "node:perf_hooks";
import pg from "pg";

/** One figure a benchmark measured. */
export interface BenchRow {
  /** What was measured, e.g. "user list · sqlite". */
  group: string;
  /** The figure, e.g. "first page of 100 (HTTP) median". */
  figure: string;
  value: number;
  unit: string;
  /** The budget in words, e.g. "< 10 ms". */
  target?: string;
  /** Whether the value meets the target (left out when there is none). */
  ok?: boolean;
}

/** A benchmark module's default export. */
export type Benchmark = () => Promise<BenchRow[]>;

/** The q-th quantile (0..1) of samples, nearest-rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Times an async function `runs` times after `warmup` untimed runs; answers milliseconds per run.
 * @example const ms = await sample(() => fetch(url), { runs: 50 });
 */
export async function sample(fn: () => Promise<unknown>, { runs = 50, warmup = 5 } = {}): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * Median and p99 (or p95, `tail`) rows for a set of samples, the median judged against a "< limit ms"
 * target.
 */
export function latencyRows(
  group: string,
  figure: string,
  times: readonly number[],
  limitMs?: number,
  tail = 0.99,
): BenchRow[] {
  const median = quantile(times, 0.5);
  const p99 = quantile(times, tail);
  return [
    {
      group,
      figure: `${figure} median`,
      value: round(median),
      unit: "ms",
      ...(limitMs === undefined ? {} : { target: `< ${limitMs} ms`, ok: median < limitMs }),
    },
    {
      group,
      figure: `${figure} p${Math.round(tail * 100)} (${times.length} runs)`,
      value: round(p99),
      unit: "ms",
    },
  ];
}

/** Rounds to 2 decimals for display. */
export const round = (n: number) => Math.round(n * 100) / 100;

const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test";

/**
 * The PostgreSQL a benchmark uses (`BENCH_DATABASE_URL`, `TEST_DATABASE_URL` or the local default) when it
 * answers, else undefined with one line saying its figures are skipped.
 */
export async function answeringPostgresUrl(): Promise<string | undefined> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_PG;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch {
    console.error(
      `PostgreSQL at ${url.replace(/\/\/[^@]*@/, "//…@")} does not answer: PostgreSQL figures skipped.`,
    );
    return undefined;
  }
}

/** A benchmark's figures on SQLite, then on PostgreSQL when it answers (the test helper's fresh schema reads TEST_DATABASE_URL). */
export async function onSqliteThenPostgres(
  runOn: (dialect: "sqlite" | "postgres") => Promise<BenchRow[]>,
): Promise<BenchRow[]> {
  const rows = await runOn("sqlite");
  const url = await answeringPostgresUrl();
  if (url) {
    process.env.TEST_DATABASE_URL = url;
    rows.push(...(await runOn("postgres")));
  }
  return rows;
}
