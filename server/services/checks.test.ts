import { describe, expect, it } from "vitest";
import type { UserState } from "../../contract/common";
import { nextState, type CheckMode } from "./checks";

describe("nextState (DESIGN.md states)", () => {
  it.each<[CheckMode, UserState, boolean, UserState | undefined]>([
    ["activate", "pending", true, "active"],
    ["activate", "pending", false, "error"],
    ["recheck", "active", false, "error"],
    ["recheck", "error", true, "active"],
    ["recheck", "paused", true, undefined],
    ["check-now", "not-activated", true, undefined],
    ["check-now", "not-activated", false, undefined],
    ["check-now", "active", false, "error"],
    ["check-now", "error", true, "active"],
    ["check-now", "paused", false, undefined],
    ["check-now", "pending", true, undefined],
  ])("%s on %s with ok=%s → %s", (mode, state, ok, expected) => {
    expect(nextState(mode, state, ok)).toBe(expected);
  });
});
