// @vitest-environment jsdom
import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Profile } from "../../contract/profiles";
import { Providers } from "../test-utils";
import { useProfileForm } from "./useProfileForm";

afterEach(cleanup);

const profile = {
  id: "p1",
  name: "Head office",
  description: "old",
  maxConcurrentConnections: 10,
  stalledAfterHours: 24,
  stalledAlertPercent: 10,
} as Profile;

const setup = (p?: Profile) =>
  renderHook(() => useProfileForm({ profile: p, onClose: vi.fn() }), { wrapper: Providers });

describe("useProfileForm", () => {
  it("wants a name; creating has no stalled-sync fields to check", () => {
    const { result } = setup();
    expect(result.current.editing).toBe(false);
    expect(result.current.invalid).toBe(true);
    act(() => result.current.setName("  "));
    expect(result.current.invalid).toBe(true);
    act(() => {
      result.current.setName("Branch");
      result.current.setStalledHours("abc");
    });
    expect(result.current.invalid).toBe(false);
    expect(result.current.problems.stalledAfterHours).toBeUndefined();
  });

  it("keeps the concurrency a whole number within 1-27, from the value or what was typed", () => {
    const { result } = setup(profile);
    act(() => result.current.changeConcurrency(40));
    expect(result.current.concurrency).toBe(27);
    act(() => result.current.changeConcurrency(null, "0"));
    expect(result.current.concurrency).toBe(1);
    act(() => result.current.changeConcurrency(undefined, "12.6"));
    expect(result.current.concurrency).toBe(13);
    act(() => result.current.changeConcurrency(null, "many"));
    expect(result.current.concurrency).toBe(13);
  });

  it("checks the stalled-sync threshold and share when editing", () => {
    const { result } = setup(profile);
    expect(result.current.invalid).toBe(false);
    act(() => result.current.setStalledHours("721"));
    expect(result.current.problems.stalledAfterHours).toBeTruthy();
    expect(result.current.invalid).toBe(true);
    act(() => {
      result.current.setStalledHours("48");
      result.current.setStalledPercent("0");
    });
    expect(result.current.problems.stalledAlertPercent).toBeTruthy();
    expect(result.current.invalid).toBe(true);
  });
});
