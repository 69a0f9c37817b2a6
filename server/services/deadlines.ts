import { parseJson } from "../store/json";
import type { StoreAccess } from "../store/unit-of-work";
import { ewsEndsOn } from "./profiles";

/**
 * What a deadline is about. Open on purpose: other modules add kinds (a client secret's expiry, a
 * password's, an OAuth connection gone stale...) as sources of their own.
 */
export type DeadlineKind = "certificate" | "ews-deadline" | (string & {});

/** A credential or platform deadline of a profile. */
export interface Deadline {
  profileId: string;
  kind: DeadlineKind;
  /** When it is due (ISO). */
  dueAt: string;
  /** Whole days left: 0 on the day, negative once past. */
  daysLeft: number;
}

/** One kind of deadline (or a few), for the given profiles (all when omitted). */
export type DeadlineSource = (
  store: StoreAccess,
  profileIds: readonly string[] | undefined,
  now: number,
) => Promise<Deadline[]>;

/** Whole days from `now` until `dueAt` (rounded up, as the panel counts EWS's days). */
export const daysLeft = (dueAt: string, now: number): number =>
  Math.ceil((Date.parse(dueAt) - now) / 86_400_000);

/**
 * From the stored access settings: an app-only certificate's expiry (its `notAfter`, read when it was
 * uploaded) and the EWS deadline of a profile on EWS against Exchange Online.
 */
export const accessDeadlines: DeadlineSource = async (store, profileIds, now) => {
  const result: Deadline[] = [];
  for (const row of await store.repos.mailboxAccess.typesAndSettings(profileIds)) {
    const settings = parseJson<{ cert?: { notAfter?: unknown } | null }>(row.settings);
    const notAfter = settings?.cert?.notAfter;
    if (typeof notAfter === "string" && !Number.isNaN(Date.parse(notAfter))) {
      result.push({
        profileId: row.profileId,
        kind: "certificate",
        dueAt: notAfter,
        daysLeft: daysLeft(notAfter, now),
      });
    }
    const ews = ewsEndsOn(row.type, row.settings);
    if (ews) {
      const dueAt = `${ews}T00:00:00.000Z`;
      result.push({ profileId: row.profileId, kind: "ews-deadline", dueAt, daysLeft: daysLeft(dueAt, now) });
    }
  }
  return result;
};

/**
 * The one place the overview (and later the alerts) asks for deadlines: every source's, soonest first.
 * @example const deadlines = await new DeadlineService(store).deadlinesFor(["p1"], clock.now());
 */
export class DeadlineService {
  constructor(
    private readonly store: StoreAccess,
    private readonly sources: readonly DeadlineSource[] = [accessDeadlines],
  ) {}

  async deadlinesFor(profileIds: readonly string[] | undefined, now: number): Promise<Deadline[]> {
    if (profileIds?.length === 0) return [];
    const all = await Promise.all(this.sources.map((source) => source(this.store, profileIds, now)));
    return all.flat().sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.kind.localeCompare(b.kind));
  }
}
