import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CHROMIUM_PATH } from "./e2e/helpers/browser";
import { ensurePanelBuilt } from "./e2e/helpers/panel";
import { prepareTestTls } from "./helpers/tls";

/**
 * Runs once before any test file: builds the panel when the browser tests will run. Test files run in
 * parallel, and each browser file would otherwise find dist/client stale on a fresh clone and rebuild it
 * while another file's page is loading from it.
 *
 * It also collects what `realDelay` (test/helpers/real-delay.ts) waited in every worker and prints the
 * total at the end of the run (target: 10 s or less).
 */
export default function setup(): () => void {
  prepareTestTls();
  if (process.env.E2E === "1" || existsSync(CHROMIUM_PATH)) ensurePanelBuilt();
  // A log given by the caller is kept (to sum several runs); otherwise a temporary one.
  const given = process.env.REAL_DELAY_LOG;
  const dir = given ? undefined : mkdtempSync(path.join(tmpdir(), "msa-real-delay-"));
  const log = given ?? path.join(dir!, "waits.jsonl");
  // Workers are started after this and inherit the variable.
  process.env.REAL_DELAY_LOG = log;
  return () => {
    const waits = existsSync(log)
      ? readFileSync(log, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { ms: number; reason: string; file: string })
      : [];
    if (dir) rmSync(dir, { recursive: true, force: true });
    const total = waits.reduce((sum, w) => sum + w.ms, 0);
    const byReason = new Map<string, number>();
    for (const w of waits) {
      const key = w.file ? `${w.reason} (${w.file})` : w.reason;
      byReason.set(key, (byReason.get(key) ?? 0) + w.ms);
    }
    const top = [...byReason.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([reason, ms]) => `  ${(ms / 1000).toFixed(1)} s  ${reason}`);
    console.log(
      [
        `Real-clock waiting (realDelay): ${(total / 1000).toFixed(1)} s in ${waits.length} waits`,
        ...top,
      ].join("\n"),
    );
  };
}
