/**
 * A concurrency limit that drops when Exchange answers ErrorServerBusy, blocks every new call until the
 * announced BackOffMilliseconds have passed when the busy answer concerned the whole profile (not one
 * impersonated mailbox: see BackOffGate), and climbs back by one after a run of successes.
 * One per profile, shared by everything that calls that profile's Exchange from this process.
 * @example const gate = new AdaptiveLimit(10); await gate.acquire(); try { ... } finally { gate.release(); }
 */
export class AdaptiveLimit {
  /** The current limit (between 1 and `max`). */
  limit: number;
  inFlight = 0;
  private blockedUntil = 0;
  private successes = 0;
  private lastBusyAt = 0;
  private lastDecreaseAt = 0;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    public max: number,
    private readonly options: {
      recoverAfterMs?: number;
      decreaseEveryMs?: number;
      defaultBackOffMs?: number;
    } = {},
  ) {
    this.limit = max;
  }

  /** Changes the ceiling (the profile's maxConcurrentConnections was edited). */
  setMax(max: number): void {
    if (max === this.max) return;
    this.max = max;
    this.limit = Math.min(this.limit, max);
    this.pump();
  }

  /** Resolves when a call may start; rejects when the signal aborts first (or was aborted already and the call must wait). */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.canStart()) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    // An aborted signal never fires "abort" again: waiting on it would wait for a slot, not for the abort.
    if (signal?.aborted) {
      return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = () => {
        signal?.removeEventListener("abort", onAbort);
        this.inFlight += 1;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      // The back-off may have ended since canStart() read the clock: pump decides on a fresh reading.
      this.pump();
    });
  }

  /** Ends a call. */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.pump();
  }

  /**
   * Exchange said ErrorServerBusy: fewer parallel calls for a while and, when the busy answer concerned
   * the profile's service account itself (`scope` "profile"), no new call until the back-off ends. A busy
   * answer for one impersonated mailbox (`scope` "mailbox") holds only that mailbox's calls (the caller
   * retries it after the back-off, and the transport's BackOffGate holds the mailbox): Exchange charged
   * it to that mailbox's budget, and stopping the other mailboxes' calls too would idle the profile for
   * every busy mailbox. `npm run bench -- adaptive-limit` (the gate alone, 50 ms calls at 10, 5 % busy
   * with a 50 ms back-off): 1.04-1.05× the ideal time when the back-off holds the mailbox, 1.28-1.31× when
   * it holds the profile; the whole product (`bulk-check`, 10,000 users): 1.13-1.15× against 1.52×.
   * Like TCP's congestion control, the limit drops at most once per `decreaseEveryMs` (1 s), since the busy
   * answers of calls already in flight report the same overload; sustained overload still takes a limit
   * of 27 to 8 within 3 s.
   */
  onBusy(backOffMs?: number, scope: "profile" | "mailbox" = "profile"): void {
    const now = Date.now();
    this.lastBusyAt = now;
    this.successes = 0;
    if (now - this.lastDecreaseAt >= (this.options.decreaseEveryMs ?? 1_000)) {
      this.lastDecreaseAt = now;
      this.limit = Math.max(1, Math.floor(this.limit * 0.7));
    }
    if (scope === "profile") {
      this.blockedUntil = Math.max(
        this.blockedUntil,
        now + (backOffMs ?? this.options.defaultBackOffMs ?? 1_000),
      );
    }
  }

  /**
   * A call passed: one more parallel call per round of `limit` successes (additive increase). No quiet
   * period is required: under steady light throttling the limit settles instead of sinking to 1.
   */
  onSuccess(): void {
    if (this.limit >= this.max) return;
    this.successes += 1;
    if (this.successes >= this.limit && Date.now() - this.lastBusyAt >= (this.options.recoverAfterMs ?? 0)) {
      this.limit += 1;
      this.successes = 0;
      this.pump();
    }
  }

  /** Milliseconds until calls may start again (0 when not blocked). */
  backOffRemaining(): number {
    return Math.max(0, this.blockedUntil - Date.now());
  }

  private canStart(): boolean {
    return this.inFlight < this.limit && Date.now() >= this.blockedUntil && this.waiters.length === 0;
  }

  /**
   * Starts the waiters that may start, or arms the timer for the end of the back-off. One clock reading
   * decides both: with two, the back-off could end between them ("still blocked", then "nothing left to
   * wait for") and the waiters would stay queued with no timer until some other call ended.
   */
  private pump(): void {
    if (this.waiters.length === 0) return;
    const wait = this.blockedUntil - Date.now();
    if (wait > 0) {
      // Timers may fire a little early against Date.now(); the callback pumps again and re-arms if so.
      // Not unref'd: callers are waiting, and a process whose every call waits out a back-off must not
      // exit (a script or worker with nothing else pending did, with Node's exit code 13).
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    while (this.waiters.length > 0 && this.inFlight < this.limit) this.waiters.shift()!();
  }
}

/** A plain counting semaphore (the runner's global cap, JOBS_MAX_CONCURRENCY). */
export class Semaphore {
  private used = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly size: number) {}

  acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiters.push(() => {
        this.used += 1;
        resolve();
      }),
    );
  }

  release(): void {
    this.used -= 1;
    const next = this.waiters.shift();
    if (next) next();
  }
}

/**
 * The profile's limit in a shared map, created on first use; its ceiling follows the profile's
 * maxConcurrentConnections. Jobs, check-now and the sync gateway take slots from the same one.
 * @example const gate = profileGate(ctx.services.profileGates, profileId, profile.maxConcurrentConnections);
 */
export function profileGate(
  gates: Map<string, AdaptiveLimit>,
  profileId: string,
  max: number,
): AdaptiveLimit {
  let gate = gates.get(profileId);
  if (!gate) {
    gate = new AdaptiveLimit(max);
    gates.set(profileId, gate);
  } else gate.setMax(max);
  return gate;
}
