import { describe, expect, it } from "vitest";
import { statesChangedBy, transition } from "./user-lifecycle";

describe("user lifecycle (DESIGN.md, States)", () => {
  it("queues never-activated and failed users, remembering where they were", () => {
    expect(statesChangedBy("queue")).toEqual(["not-activated", "error"]);
    expect(transition("queue", { state: "error", stateBefore: null })).toEqual({
      state: "pending",
      stateBefore: "error",
    });
  });

  it("rolls pending users back to their earlier state", () => {
    expect(transition("rollback", { state: "pending", stateBefore: "error" })).toEqual({
      state: "error",
      stateBefore: null,
    });
    expect(transition("rollback", { state: "pending", stateBefore: null })?.state).toBe("not-activated");
    expect(transition("rollback", { state: "active", stateBefore: null })).toBeUndefined();
  });

  it("pauses and resumes to the state before, not-activated when unknown", () => {
    const paused = transition("pause", { state: "active", stateBefore: null });
    expect(paused).toEqual({ state: "paused", stateBefore: "active" });
    expect(transition("pause", paused!)).toBeUndefined();
    expect(transition("resume", paused!)).toEqual({ state: "active", stateBefore: null });
    expect(transition("resume", { state: "paused", stateBefore: "pending" })?.state).toBe("not-activated");
  });

  it("moves users to start over; a paused one stays paused and resumes as not-activated", () => {
    expect(transition("move", { state: "active", stateBefore: null })).toEqual({
      state: "not-activated",
      stateBefore: null,
    });
    expect(transition("move", { state: "paused", stateBefore: "active" })).toEqual({
      state: "paused",
      stateBefore: "not-activated",
    });
  });
});
