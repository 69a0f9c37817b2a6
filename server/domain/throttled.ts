import type { AccessFailure } from "./access-outcome";

/**
 * A throttling answer: EWS ErrorServerBusy, Graph 429, or any answer that says how long to back off (a
 * 503 with Retry-After). It says Exchange is loaded, not that the mailbox is broken: jobs wait it out and
 * go again (never an attempt), check-now answers `backOffMs` and writes nothing.
 */
export function isThrottled(error: AccessFailure): boolean {
  return error.code === "ErrorServerBusy" || error.backOffMs !== undefined;
}
