/**
 * The per-profile gate alone (server/jobs/adaptive-limit.ts), without EWS, HTTP or a database: calls of
 * 50 ms at a limit of 10, each to its own mailbox, 5 % answered ErrorServerBusy with a 50 ms
 * BackOffMilliseconds, retried after the runner's delay. Wall time against `calls × 50 ms / 10` when the
 * back-off holds the busy mailbox (impersonated calls, what the product does) and when it holds the whole
 * profile (the service account's own calls): the part of the bulk-check busy ratio that is the policy's,
 * not overhead. Calls wait in a BackOffGate before leaving, as the EWS transport's do.
 */
import { BackOffGate } from "../server/ews/backoff";
import { AdaptiveLimit } from "../server/jobs/adaptive-limit";
import { retryDelayMs } from "../server/jobs/execution";
import { round, type BenchRow } from "./lib";

const CALLS = Number(process.env.BENCH_GATE_CALLS ?? 3000);
const LATENCY_MS = 50;
const LIMIT = 10;
const BUSY_SHARE = 0.05;
const BACK_OFF_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs CALLS items through a gate; answers wall / ideal and how many calls started while a back-off that
 * holds them was running (the profile's, or their own mailbox's).
 */
async function drive(
  gate: AdaptiveLimit,
  scope: "mailbox" | "profile",
): Promise<{ ratio: number; early: number }> {
  let calls = 0;
  let early = 0;
  let profileBlockedUntil = 0;
  const backOff = new BackOffGate();
  let nextMailbox = 0;
  const item = async (): Promise<void> => {
    const mailbox = `user${nextMailbox++}@contoso.com`;
    let mailboxBlockedUntil = 0;
    for (let attempt = 1; ; attempt++) {
      await backOff.wait("profile", mailbox);
      calls += 1;
      if (Date.now() < Math.max(profileBlockedUntil, mailboxBlockedUntil)) early += 1;
      await sleep(LATENCY_MS);
      if (Math.random() >= BUSY_SHARE) {
        gate.onSuccess();
        gate.release();
        return;
      }
      if (scope === "profile") profileBlockedUntil = Date.now() + BACK_OFF_MS;
      else mailboxBlockedUntil = Date.now() + BACK_OFF_MS;
      backOff.announce("profile", scope === "mailbox" ? mailbox : undefined, BACK_OFF_MS);
      gate.onBusy(BACK_OFF_MS, scope);
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
  for (const [label, scope] of [
    ["back-off holds the busy mailbox", "mailbox"],
    ["back-off holds the whole profile", "profile"],
  ] as const) {
    const { ratio, early } = await drive(new AdaptiveLimit(LIMIT), scope);
    rows.push({ group, figure: `${label}: wall / (calls × 50 ms / 10)`, value: round(ratio), unit: "×" });
    rows.push({
      group,
      figure: `${label}: calls started during a back-off that holds them`,
      value: early,
      unit: "calls",
      target: "0",
      ok: early === 0,
    });
  }
  return rows;
}
