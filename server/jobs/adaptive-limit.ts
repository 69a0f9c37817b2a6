/**
 * A concurrency limit that drops when Exchange answers ErrorServerBusy, blocks every new call until the
 * announced BackOffMilliseconds have passed when the busy answer concerned the whole profile (not one
 * impersonated mailbox: see BackOffGate), and settles at the level Exchange accepts:
 * - it remembers the highest level that carried a full round of calls without a busy answer (`safe`) and
 *   the lowest that drew one (`bad`);
 * - it climbs one step per `limit` successes while below `bad`, but a step to `bad` or above (a probe)
 *   needs `limit × 2^k` successes, `k` growing with each failed probe (up to 2^7);
 * - a busy answer to a call sent at a probe level takes the limit straight back to `safe` (no deeper cut:
 *   that level worked); one at a level that worked means Exchange's capacity dropped: a cut to 70 %;
 * - a level that drew busy answers several times as often as the level below it steps down to that one.
 *   A level can carry a full round and still sit above the capacity: a call whose answer is on its way
 *   back holds a slot here but no longer a place at Exchange, so one level above the capacity mostly
 *   works. Without this rule the limit stayed there, about one call in ten refused, until the next cut.
 *   Busy answers spread evenly over the levels come from the mailboxes' own budgets: no step for them.
 * Under a hard capacity below the configured concurrency, refused calls stay a few per cent of all calls
 * (`npm run bench -- bulk-capacity`: 1.1 % at 4,000 users, 4.2 % at 1,000; unit tests at capacity 8 with 10,
 * also with answers 10 ms on their way back, and capacity 3 with 27).
 * One per profile, shared by everything that calls that profile's Exchange from this process.
 * @example const gate = new AdaptiveLimit(10); await gate.acquire(); const epoch = gate.epoch; try { ... gate.onBusy(ms, "mailbox", epoch) } finally { gate.release(); }
 */
export class AdaptiveLimit {
  /** The current limit (between 1 and `max`). */
  limit: number;
  inFlight = 0;
  /**
   * Bumped at every change of the limit made by a busy answer. A caller reads it when its call leaves and
   * hands it to `onBusy`: busy answers to calls sent before the last cut report the overload already acted on.
   */
  epoch = 0;
  /** Highest level that carried `limit` successes in a row since the last cut to 70 % (0: none yet). */
  safe = 0;
  /** Lowest level at which a busy answer came (Infinity: none). Steps up to it are probes. */
  bad = Number.POSITIVE_INFINITY;
  /** Failed probes so far: a probe waits for `limit × 2^probeFailures` successes. */
  probeFailures = 0;
  private blockedUntil = 0;
  private successes = 0;
  private lastBusyAt = 0;
  private lastDecreaseAt = 0;
  /** Answers (and busy ones) to calls sent in the current epoch. */
  private epochAnswers = 0;
  private epochBusy = 0;
  /** Answers and busy answers seen at each limit (index: the limit), halved as they grow: recent history. */
  private readonly answersAt: number[] = [];
  private readonly busyAt: number[] = [];
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
   * Exchange said ErrorServerBusy: fewer parallel calls and, when the busy answer concerned the profile's
   * service account itself (`scope` "profile"), no new call until the back-off ends. A busy answer for one
   * impersonated mailbox (`scope` "mailbox") holds only that mailbox's calls (the caller retries it after
   * the back-off, and the transport's BackOffGate holds the mailbox): Exchange charged it to that
   * mailbox's budget, and stopping the other mailboxes' calls too would idle the profile for every busy
   * mailbox. `npm run bench -- adaptive-limit` (the gate alone, 50 ms calls at 10, 5 % busy with a 50 ms
   * back-off): 1.04-1.05× the ideal time when the back-off holds the mailbox, 1.28-1.31× when it holds
   * the profile.
   * `sentInEpoch` (the `epoch` read when the call left): a busy answer to a call sent before the last cut
   * changes nothing more. Without it, or at a level that worked, the limit drops at most once per
   * `decreaseEveryMs` (1 s, like TCP's congestion control), or sooner when more than a quarter of the
   * answers to calls sent since the last cut were busy (a capacity far below the limit: 27 to 3 in a few
   * rounds instead of seconds).
   */
  onBusy(backOffMs?: number, scope: "profile" | "mailbox" = "profile", sentInEpoch?: number): void {
    const now = Date.now();
    this.lastBusyAt = now;
    this.successes = 0;
    if (scope === "profile") {
      this.blockedUntil = Math.max(
        this.blockedUntil,
        now + (backOffMs ?? this.options.defaultBackOffMs ?? 1_000),
      );
    }
    if (sentInEpoch !== undefined && sentInEpoch !== this.epoch) return;
    this.epochAnswers += 1;
    this.epochBusy += 1;
    this.count(true);
    if (sentInEpoch !== undefined && this.safe > 0 && this.limit > this.safe) {
      // A probe above the last level that worked failed: back to that level, and probe less often.
      this.bad = this.limit;
      this.probeFailures = Math.min(7, this.probeFailures + 1);
      this.setLimit(this.safe, now, false);
      return;
    }
    if (sentInEpoch !== undefined && this.refusedMoreThanBelow()) {
      // This level draws busy answers that the level below does not: Exchange's capacity sits between
      // them (busy answers spread evenly over levels are the mailboxes' own budgets, and no reason to cut).
      this.bad = this.limit;
      this.safe = this.limit - 1;
      this.probeFailures = Math.min(7, this.probeFailures + 1);
      this.setLimit(this.safe, now, false);
      return;
    }
    const windowPassed = now - this.lastDecreaseAt >= (this.options.decreaseEveryMs ?? 1_000);
    const mostlyRefused =
      sentInEpoch !== undefined &&
      this.epochAnswers >= Math.ceil(this.limit / 2) &&
      this.epochBusy * 4 > this.epochAnswers;
    if (windowPassed || mostlyRefused) {
      // Exchange's capacity is lower than a level that worked: what worked before is no longer known, and
      // probing starts afresh from the level refused now.
      this.bad = this.limit;
      this.probeFailures = 0;
      this.safe = 0;
      this.setLimit(Math.max(1, Math.floor(this.limit * 0.7)), now, true);
    }
  }

  /**
   * A call passed: one more parallel call per round of `limit` successes below the level that drew a
   * busy answer, one per `limit × 2^k` successes from it on (see the class). No quiet period is
   * required: under steady light throttling the limit settles instead of sinking to 1.
   */
  onSuccess(sentInEpoch?: number): void {
    if (sentInEpoch === undefined || sentInEpoch === this.epoch) {
      this.epochAnswers += 1;
      this.count(false);
    }
    this.successes += 1;
    if (this.successes >= this.limit && this.limit > this.safe) this.safe = this.limit;
    if (this.limit >= this.max) return;
    const probe = this.limit + 1 >= this.bad;
    const needed = probe ? this.limit * 2 ** this.probeFailures : this.limit;
    if (this.successes >= needed && Date.now() - this.lastBusyAt >= (this.options.recoverAfterMs ?? 0)) {
      this.limit += 1;
      this.successes = 0;
      this.pump();
    }
  }

  private count(busy: boolean): void {
    const level = this.limit;
    this.answersAt[level] = (this.answersAt[level] ?? 0) + 1;
    this.busyAt[level] = (this.busyAt[level] ?? 0) + (busy ? 1 : 0);
    if (this.answersAt[level] >= 512) {
      this.answersAt[level] /= 2;
      this.busyAt[level] /= 2;
    }
  }

  /**
   * True when the current level has drawn at least 3 busy answers, more than 3 times as many as the level
   * below would have at its own rate (with half a busy answer added there, so that a level below with few
   * answers does not look perfect).
   */
  private refusedMoreThanBelow(): boolean {
    const level = this.limit;
    if (level <= 1) return false;
    const busy = this.busyAt[level] ?? 0;
    const answers = this.answersAt[level] ?? 0;
    const belowAnswers = this.answersAt[level - 1] ?? 0;
    if (busy < 3 || belowAnswers < 2 * level) return false;
    const belowRate = ((this.busyAt[level - 1] ?? 0) + 0.5) / (belowAnswers + 1);
    return busy > 3 * belowRate * answers;
  }

  private setLimit(limit: number, now: number, cut: boolean): void {
    this.limit = Math.max(1, Math.min(this.max, limit));
    this.epoch += 1;
    this.epochAnswers = 0;
    this.epochBusy = 0;
    if (cut) this.lastDecreaseAt = now;
    this.pump();
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
