import { sql, type RawBuilder } from "kysely";
import { LIFECYCLE, statesChangedBy, type LifecycleEvent, type Transition } from "../domain/user-lifecycle";
import { userStates, type UserState } from "../../contract/common";

/**
 * The set-based SQL of the user lifecycle, generated from its transition table (server/domain/user-lifecycle.ts),
 * for the repositories' bulk updates. A property test checks it agrees with the per-user `transition`.
 */

const lit = (s: string) => sql.lit(s);

function stateExpr(t: Transition): RawBuilder<UserState> {
  if ("to" in t.state) return sql<UserState>`${lit(t.state.to)}`;
  const allowed = sql.join(t.state.restore.map(lit));
  return sql<UserState>`case when state_before in (${allowed}) then state_before else ${lit(t.state.fallback)} end`;
}

function beforeExpr(t: Transition): RawBuilder<UserState | null> {
  if (t.before === "clear") return sql<null>`null`;
  if (t.before === "remember-current") return sql<UserState>`state`;
  return sql<UserState>`${lit(t.before.to)}`;
}

/** `case state when 'a' then <expr> … else <otherwise> end` over the event's states. */
function caseOnState<T>(
  event: LifecycleEvent,
  expr: (t: Transition) => RawBuilder<T>,
  otherwise: RawBuilder<T>,
) {
  const branches = statesChangedBy(event).map((s) => sql`when ${lit(s)} then ${expr(LIFECYCLE[event][s]!)}`);
  return sql<T>`case state ${sql.join(branches, sql` `)} else ${otherwise} end`;
}

/**
 * The set-based form of an event for an `update users`: the `state` and `stateBefore` expressions, and
 * the states to filter on (`where state in (...)`), so rows the event leaves alone are not touched.
 * @example db.updateTable("users").set({ ...u.set, updatedAt }).where("state", "in", u.states)
 */
export function lifecycleUpdate(event: LifecycleEvent): {
  set: { state: RawBuilder<UserState>; stateBefore: RawBuilder<UserState | null> };
  states: UserState[];
  /** Whether the event applies to every state (no filter needed). */
  everyState: boolean;
} {
  return {
    set: {
      state: caseOnState(event, stateExpr, sql<UserState>`state`),
      stateBefore: caseOnState(event, beforeExpr, sql<UserState | null>`state_before`),
    },
    states: statesChangedBy(event),
    everyState: statesChangedBy(event).length === userStates.length,
  };
}
