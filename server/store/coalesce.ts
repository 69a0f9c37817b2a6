interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

export interface CoalescerOptions {
  /** Loads running at once; a lookup that finds them all busy waits and goes with the next load. */
  maxInFlight: number;
  /** The most keys one load asks for. */
  maxBatch: number;
  /**
   * Start each load at the end of the event loop's turn (`setImmediate`) rather than at once, so the
   * lookups of every request read in that turn share it: for a database whose query runs synchronously
   * (SQLite), where loads never overlap.
   */
  gatherTurn?: boolean;
}

/**
 * Lookups by key, coalesced under load: while fewer than `maxInFlight` loads run, a lookup starts its own
 * at once (no added wait when the server is quiet); once they all run, the keys asked meanwhile wait and
 * go together in the next load, one query for many callers. Each caller still gets a read started after
 * it asked (a key already in flight is asked again), so nothing is served from an earlier read.
 * With `gatherTurn`, the lookups of one event-loop turn go together even when none is running.
 * @example const byId = new Coalescer((ids) => repo.findMany(ids), { maxInFlight: 2, maxBatch: 100 }); await byId.get(id);
 */
export class Coalescer<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly load: (keys: K[]) => Promise<Map<K, V>>,
    private readonly options: CoalescerOptions,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      this.maybeStart();
    });
  }

  /** Starts loads for the waiting keys while fewer than `maxInFlight` run (at the end of the turn with `gatherTurn`). */
  private maybeStart(): void {
    if (this.scheduled || this.waiting.size === 0 || this.inFlight >= this.options.maxInFlight) return;
    if (!this.options.gatherTurn) return this.startLoads();
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startLoads();
    });
  }

  private startLoads(): void {
    while (this.waiting.size > 0 && this.inFlight < this.options.maxInFlight) this.startLoad();
  }

  private startLoad(): void {
    const batch = new Map<K, Waiter<V>[]>();
    for (const [key, waiters] of this.waiting) {
      batch.set(key, waiters);
      this.waiting.delete(key);
      if (batch.size >= this.options.maxBatch) break;
    }
    this.inFlight += 1;
    const settle = (found: Map<K, V> | undefined, error?: unknown) => {
      this.inFlight -= 1;
      for (const [key, waiters] of batch) {
        for (const waiter of waiters) {
          if (found) waiter.resolve(found.get(key));
          else waiter.reject(error);
        }
      }
      this.maybeStart();
    };
    let loading: Promise<Map<K, V>>;
    try {
      loading = this.load([...batch.keys()]);
    } catch (error) {
      loading = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    loading.then(
      (found) => settle(found),
      (error: unknown) => settle(undefined, error ?? new Error("lookup failed")),
    );
  }
}
