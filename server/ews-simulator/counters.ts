/** One recorded call (kept in a bounded list). */
export interface RecordedCall {
  at: number;
  account: string;
  /** Target mailbox's primary address (impersonated, or the account's own); "" when none. */
  target: string;
  operation: string;
  /** "NoError", an EWS code, an HTTP status such as "401", or an injected fault kind. */
  outcome: string;
}

/** Counters readable by tests and benchmarks; reset with `simulator.resetCounters()`. */
export interface SimulatorCounters {
  /** Every HTTP request to /EWS or /autodiscover. */
  requests: number;
  /** Calls by operation name (GetFolder, FindItem, Autodiscover, GetUserSettings, ...). */
  byOperation: Record<string, number>;
  byAccount: Record<string, number>;
  byTarget: Record<string, number>;
  /** Outcomes by code: NoError, ErrorServerBusy, 401, http503, ... */
  byOutcome: Record<string, number>;
  inFlight: number;
  peakConcurrency: number;
  inFlightByAccount: Record<string, number>;
  peakConcurrencyByAccount: Record<string, number>;
  /** Calls that arrived while a BackOffMilliseconds announced to this account/target was still running. */
  callsDuringBackOff: { total: number; byAccount: Record<string, number>; byTarget: Record<string, number> };
  /** Most recent calls, oldest first, at most `maxRecordedCalls`. */
  calls: RecordedCall[];
  maxRecordedCalls: number;
}

/** Fresh, zeroed counters. */
export function createCounters(maxRecordedCalls = 10_000): SimulatorCounters {
  return {
    requests: 0,
    byOperation: {},
    byAccount: {},
    byTarget: {},
    byOutcome: {},
    inFlight: 0,
    peakConcurrency: 0,
    inFlightByAccount: {},
    peakConcurrencyByAccount: {},
    callsDuringBackOff: { total: 0, byAccount: {}, byTarget: {} },
    calls: [],
    maxRecordedCalls,
  };
}

/** Zeroes counters in place (keeps the object tests hold), leaving in-flight counts alone. */
export function resetCounters(c: SimulatorCounters): void {
  const fresh = createCounters(c.maxRecordedCalls);
  const { inFlight, inFlightByAccount } = c;
  Object.assign(c, fresh, { inFlight, inFlightByAccount, peakConcurrency: inFlight });
}

function bump(map: Record<string, number>, key: string, by = 1): number {
  const next = (map[key] ?? 0) + by;
  map[key] = next;
  return next;
}

/** Marks a call as started; returns the account's in-flight count including this call. */
export function enter(c: SimulatorCounters, account: string): number {
  c.inFlight += 1;
  if (c.inFlight > c.peakConcurrency) c.peakConcurrency = c.inFlight;
  const mine = bump(c.inFlightByAccount, account);
  if (mine > (c.peakConcurrencyByAccount[account] ?? 0)) c.peakConcurrencyByAccount[account] = mine;
  return mine;
}

/** Marks a call as finished. */
export function leave(c: SimulatorCounters, account: string): void {
  c.inFlight = Math.max(0, c.inFlight - 1);
  const left = bump(c.inFlightByAccount, account, -1);
  if (left <= 0) delete c.inFlightByAccount[account];
}

/** Counts one finished call. */
export function record(c: SimulatorCounters, call: RecordedCall): void {
  bump(c.byOperation, call.operation);
  if (call.account) bump(c.byAccount, call.account);
  if (call.target) bump(c.byTarget, call.target);
  bump(c.byOutcome, call.outcome);
  if (c.maxRecordedCalls > 0) {
    if (c.calls.length >= c.maxRecordedCalls) c.calls.shift();
    c.calls.push(call);
  }
}

/** Back-off deadlines announced to accounts and targets (epoch ms). */
export class BackOffTracker {
  private readonly accounts = new Map<string, number>();
  private readonly targets = new Map<string, number>();

  /** Remembers that `key` was told to wait `ms`. */
  announce(kind: "account" | "target", key: string, ms: number, now = Date.now()): void {
    const map = kind === "account" ? this.accounts : this.targets;
    map.set(key, Math.max(map.get(key) ?? 0, now + ms));
  }

  /** Counts the call in `counters` when it came before a back-off ended. */
  check(c: SimulatorCounters, account: string, target: string, now = Date.now()): void {
    const early = (this.accounts.get(account) ?? 0) > now;
    const earlyTarget = target !== "" && (this.targets.get(target) ?? 0) > now;
    if (early) bump(c.callsDuringBackOff.byAccount, account);
    if (earlyTarget) bump(c.callsDuringBackOff.byTarget, target);
    if (early || earlyTarget) c.callsDuringBackOff.total += 1;
  }

  clear(): void {
    this.accounts.clear();
    this.targets.clear();
  }
}

/** Calls per target in fixed windows (Exchange's budgets recharge over time; a window is close enough). */
export class TargetBudget {
  private readonly windows = new Map<string, { start: number; calls: number }>();

  /** Takes one call from the target's budget; returns ms until it recharges when exhausted, else 0. */
  take(target: string, limit: { calls: number; windowMs: number }, now = Date.now()): number {
    let w = this.windows.get(target);
    if (!w || now - w.start >= limit.windowMs) {
      w = { start: now, calls: 0 };
      this.windows.set(target, w);
    }
    if (w.calls >= limit.calls) return Math.max(1, w.start + limit.windowMs - now);
    w.calls += 1;
    return 0;
  }

  clear(): void {
    this.windows.clear();
  }
}
