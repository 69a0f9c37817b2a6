/**
 * Resolves as soon as `condition` holds, checking it every `everyMs` (10 ms by default); throws after
 * `timeoutMs`. For waiting on work (a job another process runs, a runner's calls, a counter of the
 * simulator): it ends when the work is done, so it is not real-clock waiting and does not count into
 * realDelay's total (test/helpers/real-delay.ts). Prefer an event (a job's event stream: `finishedJob`)
 * where there is one.
 * @example await waitUntil(() => sim.counters.requests >= 10, { what: "ten calls to the simulator" });
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; everyMs?: number; what?: string } = {},
): Promise<void> {
  const { timeoutMs = 20_000, everyMs = 10, what = "the condition" } = options;
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
