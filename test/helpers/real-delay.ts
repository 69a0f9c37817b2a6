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
  const log = process.env.REAL_DELAY_LOG;
  if (log) {
    try {
      appendFileSync(log, `${JSON.stringify({ ms, reason, file: testFile() })}\n`);
    } catch {
      // the total is a report, never a reason to fail a test
    }
  }
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The test file that waits, relative to the repository (for the run's report). */
function testFile(): string {
  const file = expect.getState().testPath;
  return file ? path.relative(process.cwd(), file) : "";
}
