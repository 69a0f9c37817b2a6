import { appendFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

/**
 * The only way a test waits on the real clock: it names why, and the run prints the total (see
 * test/global-setup.ts). Prefer an injected clock or a simulator counter; use this where the thing
 * waited for really runs on wall time (another process, a socket's keep-alive, a provider's token expiry).
 * @example await realDelay(500, "the restarted server reuses the port: let fetch drop its old sockets");
 */
export function realDelay(ms: number, reason: string): Promise<void> {
  record(ms, reason);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `promise`'s value if it settles within `ms`, otherwise `timedOut`: a bound on something expected to
 * happen at once (a gate that must let a call in). Only a bound that runs out waited on the real clock,
 * so only then does it count into the total.
 * @example expect(await within(gate.acquire().then(() => true), 200, false, "the acquire must start")).toBe(true);
 */
export function within<T, U>(promise: Promise<T>, ms: number, timedOut: U, reason: string): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<U>((resolve) => {
    timer = setTimeout(() => {
      record(ms, reason);
      resolve(timedOut);
    }, ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

function record(ms: number, reason: string): void {
  const log = process.env.REAL_DELAY_LOG;
  if (!log) return;
  try {
    appendFileSync(log, `${JSON.stringify({ ms, reason, file: testFile() })}\n`);
  } catch {
    // the total is a report, never a reason to fail a test
  }
}

/** The test file that waits, relative to the repository (for the run's report). */
function testFile(): string {
  const file = expect.getState().testPath;
  return file ? path.relative(process.cwd(), file) : "";
}
