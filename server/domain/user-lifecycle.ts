import { userStates, type UserState } from "../../contract/common";

/**
 * The user lifecycle (DESIGN.md, "States") as one transition table. Both the per-user rule
 * (`transition`, used when one check result is written) and the set-based SQL the repositories run for
 * bulk changes (`lifecycleUpdate` in server/store/user-lifecycle-sql.ts) are generated from it, so the two cannot disagree.
 */

/** Why a check ran: it decides which state changes a result may make. */
export type CheckMode = "activate" | "recheck" | "check-now";

/** Something that happens to users; each has one row in the table. */
export type LifecycleEvent =
  /** An activation picks the user up. */
  | "queue"
  /** A check result arrived (`<mode>-ok` or `<mode>-failed`). */
  | `${CheckMode}-${"ok" | "failed"}`
  /** An admin stops sync for the user. */
  | "pause"
  /** An admin resumes a paused user. */
  | "resume"
  /** The user moves to another profile. */
  | "move"
  /** The activation that queued the user was cancelled or failed before its result. */
  | "rollback";

/** The state a user is in, with the state remembered across a pause or an activation. */
export interface UserLifecycle {
  state: UserState;
  stateBefore: UserState | null;
}

/** Where a transition leads the state: a fixed state, or back to the remembered one. */
export type StateTarget =
  | { to: UserState }
  /** `stateBefore` when it is one of `allowed`, else `fallback`. */
  | { restore: readonly UserState[]; fallback: UserState };

/** What a transition does to `stateBefore`. */
export type BeforeTarget = "clear" | "remember-current" | { to: UserState };

export interface Transition {
  state: StateTarget;
  before: BeforeTarget;
}

/** The state every added user starts in. */
export const INITIAL_STATE: UserState = "not-activated";

const to = (state: UserState, before: BeforeTarget = "clear"): Transition => ({
  state: { to: state },
  before,
});
const everyState = (t: Transition, except: readonly UserState[] = []) =>
  Object.fromEntries(userStates.filter((s) => !except.includes(s)).map((s) => [s, t])) as Partial<
    Record<UserState, Transition>
  >;
/** recheck and check-now re-evaluate only users already activated; the others keep their state. */
const reevaluate = (verdict: UserState) => ({ active: to(verdict), error: to(verdict) });

/**
 * The transition table: for each event, the states it applies to and where each leads. A state without
 * an entry is left as it is (and not counted as changed).
 */
export const LIFECYCLE: Readonly<Record<LifecycleEvent, Partial<Record<UserState, Transition>>>> = {
  queue: { "not-activated": to("pending", "remember-current"), error: to("pending", "remember-current") },
  "activate-ok": everyState(to("active")),
  "activate-failed": everyState(to("error")),
  "recheck-ok": reevaluate("active"),
  "recheck-failed": reevaluate("error"),
  "check-now-ok": reevaluate("active"),
  "check-now-failed": reevaluate("error"),
  pause: everyState(to("paused", "remember-current"), ["paused"]),
  resume: {
    paused: {
      state: { restore: ["active", "error", "not-activated"], fallback: "not-activated" },
      before: "clear",
    },
  },
  // A moved user starts over in the new profile; a paused one stays paused and resumes as not-activated.
  move: { ...everyState(to("not-activated")), paused: to("paused", { to: "not-activated" }) },
  rollback: { pending: { state: { restore: userStates, fallback: "not-activated" }, before: "clear" } },
};

/** The states an event changes (the users a bulk change selects). */
export function statesChangedBy(event: LifecycleEvent): UserState[] {
  return userStates.filter((s) => LIFECYCLE[event][s] !== undefined);
}

/** The event a check result is. */
export function checkEvent(mode: CheckMode, ok: boolean): LifecycleEvent {
  return `${mode}-${ok ? "ok" : "failed"}`;
}

/**
 * Applies an event to one user: the new state and `stateBefore`, or undefined when the event leaves the
 * user as it is.
 * @example transition("pause", { state: "active", stateBefore: null }) // { state: "paused", stateBefore: "active" }
 */
export function transition(event: LifecycleEvent, user: UserLifecycle): UserLifecycle | undefined {
  const t = LIFECYCLE[event][user.state];
  if (!t) return undefined;
  const state =
    "to" in t.state
      ? t.state.to
      : user.stateBefore !== null && t.state.restore.includes(user.stateBefore)
        ? user.stateBefore
        : t.state.fallback;
  const before = t.before === "clear" ? null : t.before === "remember-current" ? user.state : t.before.to;
  return { state, stateBefore: before };
}

/** The state a check result leads to, or undefined when the state must not change. */
export function nextState(mode: CheckMode, current: UserState, ok: boolean): UserState | undefined {
  return transition(checkEvent(mode, ok), { state: current, stateBefore: null })?.state;
}
