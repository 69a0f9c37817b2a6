/**
 * What server code asks for the time. The context carries one (the real clock by default); tests pass
 * their own to move time instead of waiting for it.
 * @example const clock = manualClock(Date.parse("2026-12-01T00:00:00Z")); clock.advance(60_000);
 */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** The clock's time as an ISO string (what the store keeps). */
export const isoNow = (clock: Clock = systemClock): string => new Date(clock.now()).toISOString();

/** A clock that moves only when told (tests). */
export function manualClock(start = Date.now()): Clock & { advance(ms: number): void } {
  let at = start;
  return {
    now: () => at,
    advance(ms: number) {
      at += ms;
    },
  };
}

/** The real clock, moved forward when told (tests of a running server, where real time passes as well). */
export function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}
