import { TransportError } from "../ews/transport";

/** Graph's per-app, per-mailbox concurrency limit (MailboxConcurrency). */
export const GRAPH_MAILBOX_CONCURRENCY = 4;

interface Waiter {
  need: number;
  resolve: () => void;
}

interface Slot {
  used: number;
  queue: Waiter[];
}

/**
 * Calls in flight per profile and mailbox, at most 4 (Graph answers 429 above that): a call takes one
 * slot, a `$batch` min(n, 4) for each mailbox it touches; callers beyond the limit wait their turn in
 * order. In memory, per process: with several instances each keeps its own count (see README: run
 * 4 ÷ instances, or accept Graph's 429s, which the back-off gate then honours on every instance that
 * gets one).
 * @example const release = await slots.acquire(profileId, "jane@contoso.com", 1, signal); try { ... } finally { release(); }
 */
export class GraphMailboxSlots {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly limit = GRAPH_MAILBOX_CONCURRENCY) {}

  /** Waits for `count` slots of the mailbox (capped at the limit); resolves with the function that gives them back. */
  async acquire(
    profileId: string,
    mailbox: string,
    count: number,
    signal?: AbortSignal,
  ): Promise<() => void> {
    const key = `${profileId}\u0000${mailbox.toLowerCase()}`;
    const need = Math.max(1, Math.min(this.limit, count));
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { used: 0, queue: [] };
      this.slots.set(key, slot);
    }
    const current = slot;
    if (current.queue.length === 0 && current.used + need <= this.limit) {
      current.used += need;
    } else {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { need, resolve };
        current.queue.push(waiter);
        signal?.addEventListener(
          "abort",
          () => {
            const at = current.queue.indexOf(waiter);
            if (at >= 0) {
              current.queue.splice(at, 1);
              reject(new TransportError("Aborted", "The request was cancelled."));
            }
          },
          { once: true },
        );
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      current.used -= need;
      while (current.queue.length > 0 && current.used + current.queue[0].need <= this.limit) {
        const next = current.queue.shift()!;
        current.used += next.need;
        next.resolve();
      }
      if (current.used === 0 && current.queue.length === 0) this.slots.delete(key);
    };
  }

  /** Calls in flight for the mailbox now (tests, diagnostics). */
  inFlight(profileId: string, mailbox: string): number {
    return this.slots.get(`${profileId}\u0000${mailbox.toLowerCase()}`)?.used ?? 0;
  }
}
