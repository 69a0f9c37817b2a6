import { describe, expect, it } from "vitest";
import { isStalled, serviceReporting, stalledShareExceeded, type StallProfile } from "./stalled";

const now = Date.parse("2026-12-03T12:00:00.000Z");
const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
const profile: StallProfile = { syncEnabled: true, stalledAfterHours: 24, latestReportAt: hoursAgo(1) };
const active = { state: "active", lastSyncAt: hoursAgo(30), activeSince: hoursAgo(100) };

describe("stalled rule", () => {
  it("flags an active mailbox whose last report and activation are both older than the threshold", () => {
    expect(isStalled(active, profile, now)).toBe(true);
    expect(isStalled({ ...active, lastSyncAt: null }, profile, now)).toBe(true);
    expect(isStalled({ ...active, lastSyncAt: null, activeSince: null }, profile, now)).toBe(true);
  });

  it("counts from the later of the last report and the activation, the threshold itself not stalled", () => {
    expect(isStalled({ ...active, activeSince: hoursAgo(2) }, profile, now)).toBe(false);
    expect(isStalled({ ...active, lastSyncAt: hoursAgo(24) }, profile, now)).toBe(false);
    expect(isStalled({ ...active, lastSyncAt: hoursAgo(24.01) }, profile, now)).toBe(true);
    expect(isStalled(active, { ...profile, stalledAfterHours: 48 }, now)).toBe(false);
  });

  it("never flags a mailbox that may not sync, nor any while the profile's service reports for nobody", () => {
    for (const state of ["paused", "error", "pending", "not-activated"]) {
      expect(isStalled({ ...active, state }, profile, now)).toBe(false);
    }
    expect(isStalled(active, { ...profile, syncEnabled: false }, now)).toBe(false);
    expect(isStalled(active, { ...profile, latestReportAt: null }, now)).toBe(false);
    expect(isStalled(active, { ...profile, latestReportAt: hoursAgo(25) }, now)).toBe(false);
    expect(serviceReporting({ ...profile, latestReportAt: hoursAgo(24) }, now)).toBe(true);
  });

  it("raises the alert only above the share", () => {
    expect(stalledShareExceeded(10, 100, 10)).toBe(false);
    expect(stalledShareExceeded(11, 100, 10)).toBe(true);
    expect(stalledShareExceeded(0, 0, 10)).toBe(false);
  });
});
