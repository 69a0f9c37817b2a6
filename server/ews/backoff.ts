import { setTimeout as sleep } from "node:timers/promises";

/**
 * Back-offs after `ErrorServerBusy` (and Graph's 429), scoped to what Exchange charged the call to.
 * Since Exchange 2010 SP2 RU4, and in Exchange Online, an impersonated call is charged to a copy of the
 * target mailbox's budget ("Throttling considerations for applications that use EWS impersonation",
 * EWS throttling in Exchange), and `BackOffMilliseconds` is the time before resubmitting "the request
 * that caused" the error: so a busy answer to an impersonated call holds that mailbox's calls, and one
 * to the service account's own calls (authentication, its mailbox, room lists) holds the whole profile.
 * Overload as such is the profile's AdaptiveLimit's business: it lowers the profile's concurrency on
 * every busy answer, whatever its scope. One instance per process (inside the EwsEnvironment), shared by
 * checks, jobs and the sync gateway.
 * @example await gate.wait(profileId, "jane@contoso.com", signal); ... gate.announce(profileId, "jane@contoso.com", 2000);
 */
export class BackOffGate {
  private readonly until = new Map<string, number>();

  /**
   * Records a back-off for the profile, or for one of its mailboxes when `mailbox` is given; a longer
   * one already running is kept.
   */
  announce(profileId: string, mailbox: string | undefined, ms: number, now = Date.now()): void {
    const key = keyOf(profileId, mailbox);
    const end = now + Math.max(0, ms);
    if ((this.until.get(key) ?? 0) < end) this.until.set(key, end);
    // Mailboxes told to wait are seldom asked again once their back-off ended: sweep now and then.
    if (this.until.size > 1_000) for (const [k, e] of this.until) if (e <= now) this.until.delete(k);
  }

  /** Milliseconds before a call of the profile (acting as `mailbox`, when given) may leave; 0 when none. */
  remaining(profileId: string, mailbox?: string, now = Date.now()): number {
    const own = this.left(keyOf(profileId, undefined), now);
    return mailbox === undefined ? own : Math.max(own, this.left(keyOf(profileId, mailbox), now));
  }

  /** Resolves when the back-offs that hold this call have ended (re-checking, as another call may extend them). */
  async wait(profileId: string, mailbox: string | undefined, signal?: AbortSignal): Promise<void> {
    for (let left = this.remaining(profileId, mailbox); left > 0; left = this.remaining(profileId, mailbox)) {
      // A timer that fires a hair early finds time left and waits again: no call leaves before the end.
      await sleep(left, undefined, { signal });
    }
  }

  /** Forgets every back-off, or those of one profile (its own and its mailboxes'). */
  clear(profileId?: string): void {
    if (profileId === undefined) return this.until.clear();
    for (const key of [...this.until.keys()]) {
      if (key === profileId || key.startsWith(`${profileId}\u0000`)) this.until.delete(key);
    }
  }

  private left(key: string, now: number): number {
    const end = this.until.get(key);
    if (end === undefined) return 0;
    if (end <= now) {
      this.until.delete(key);
      return 0;
    }
    return end - now;
  }
}

function keyOf(profileId: string, mailbox: string | undefined): string {
  return mailbox === undefined ? profileId : `${profileId}\u0000${mailbox.toLowerCase()}`;
}
