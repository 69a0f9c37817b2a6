/**
 * The per-profile gate alone (server/jobs/adaptive-limit.ts), without EWS, HTTP or a database: calls of
 * 50 ms at a limit of 10, 5 % answered ErrorServerBusy with a 50 ms BackOffMilliseconds, retried after
 * the runner's delay. Wall time against `calls × 50 ms / 10` for the default limit-lowering window and
 * the earlier 500 ms one: the part of the bulk-check busy ratio that is the policy's, not overhead.
 */
import { AdaptiveLimit } from "../server/jobs/adaptive-limit";
import { retryDelayMs } from "../server/jobs/execution";
import { round, type BenchRow } from "./lib";

const CALLS = Number(process.env.BENCH_GATE_CALLS ?? 3000);
const LATENCY_MS = 50;
const LIMIT = 10;
const BUSY_SHARE = 0.05;
const BACK_OFF_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs CALLS items through a gate; answers wall / ideal and whether any call started during a back-off. */
async function drive(gate: AdaptiveLimit): Promise<{ ratio: number; early: number }> {
  let calls = 0;
  let early = 0;
  let blockedUntil = 0;
  const item = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      calls += 1;
      if (Date.now() < blockedUntil) early += 1;
      await sleep(LATENCY_MS);
      if (Math.random() >= BUSY_SHARE) {
        gate.onSuccess();
        gate.release();
        return;
      }
      blockedUntil = Date.now() + BACK_OFF_MS;
      gate.onBusy(BACK_OFF_MS);
      gate.release();
      await sleep(retryDelayMs(attempt, BACK_OFF_MS, { retryBaseMs: 500, retryMaxMs: 10_000 })); // the runner's delay
      await gate.acquire();
    }
  };
  const started = performance.now();
  const running = new Set<Promise<void>>();
  for (let i = 0; i < CALLS; i++) {
    await gate.acquire();
    const p = item().finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);
  return { ratio: (performance.now() - started) / ((calls * LATENCY_MS) / LIMIT), early };
}

export default async function run(): Promise<BenchRow[]> {
  const group = `gate alone · ${CALLS} calls · 5 % busy`;
  const rows: BenchRow[] = [];
  for (const [label, options] of [
    ["default (lowers at most once a second)", {}],
    ["lowering at most every 500 ms", { decreaseEveryMs: 500 }],
  ] as const) {
    const { ratio, early } = await drive(new AdaptiveLimit(LIMIT, options));
    rows.push({ group, figure: `${label}: wall / (calls × 50 ms / 10)`, value: round(ratio), unit: "×" });
    rows.push({ group, figure: `${label}: calls started during a back-off`, value: early, unit: "calls", target: "0", ok: early === 0 });
  }
  return rows;
}
