import { vi } from "vitest";

/**
 * Moves the clock of this test process (`Date`, `new Date()`) forward, for parties that read it directly
 * and can't take an injected clock: msal-node's token cache, the test identity provider, the simulator's
 * token validation. They all run in this process, so they all see the later time, as if `ms` had passed;
 * timers, sockets and `performance.now()` stay on the real clock. The clock keeps running from there.
 * Call `restoreProcessClock()` in `afterAll` (the clock jumps back to the real time).
 * @example advanceProcessClock(10_500); // the 10 s access tokens have expired, everywhere in the process
 */
export function advanceProcessClock(ms: number): void {
  if (!vi.isFakeTimers()) {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now(), shouldAdvanceTime: true });
  }
  vi.setSystemTime(Date.now() + ms);
}

/** Puts the real clock back (after `advanceProcessClock`). */
export function restoreProcessClock(): void {
  if (vi.isFakeTimers()) vi.useRealTimers();
}
