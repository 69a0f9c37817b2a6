import { setTimeout as sleep } from "node:timers/promises";

/**
 * Per-profile back-off after `ErrorServerBusy`: once Exchange announces `BackOffMilliseconds`, no call
 * for that profile leaves before it ends. Shared by checks, jobs and the sync gateway (one instance
 * per process, inside the EwsEnvironment).
 * @example await gate.wait(profileId, signal); ... gate.announce(profileId, 2000);
 */
export class BackOffGate {
  private readonly until = new Map<string, number>();

  /** Records a back-off for the key; a longer one already running is kept. */
  announce(key: string, ms: number, now = Date.now()): void {
    const end = now + Math.max(0, ms);
    if ((this.until.get(key) ?? 0) < end) this.until.set(key, end);
  }

  /** Milliseconds left in the key's back-off (0 when none). */
  remaining(key: string, now = Date.now()): number {
    const end = this.until.get(key);
    if (end === undefined) return 0;
    if (end <= now) {
      this.until.delete(key);
      return 0;
    }
    return end - now;
  }

  /** Resolves when the key's back-off has ended (re-checking, as another call may extend it). */
  async wait(key: string, signal?: AbortSignal): Promise<void> {
    for (let left = this.remaining(key); left > 0; left = this.remaining(key)) {
      // A timer that fires a hair early finds time left and waits again: no call leaves before the end.
      await sleep(left, undefined, { signal });
    }
  }

  clear(key?: string): void {
    if (key === undefined) this.until.clear();
    else this.until.delete(key);
  }
}
