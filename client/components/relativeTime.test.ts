import { describe, expect, it } from "vitest";
import { relativeTime } from "./relativeTime";

const now = Date.parse("2026-11-02T10:04:10Z");

describe("relativeTime", () => {
  it("says minutes, hours and days in the past and the future", () => {
    expect(relativeTime("2026-11-02T10:00:00Z", now, "en")).toBe("4 minutes ago");
    expect(relativeTime("2026-11-02T10:30:10Z", now, "en")).toBe("in 26 minutes");
    expect(relativeTime("2026-11-02T07:04:10Z", now, "en")).toBe("3 hours ago");
    expect(relativeTime("2026-11-01T10:04:10Z", now, "en")).toBe("yesterday");
    expect(relativeTime("2026-10-28T10:04:10Z", now, "en")).toBe("5 days ago");
  });

  it("says just now under a minute, and unknown for a bad timestamp", () => {
    expect(relativeTime("2026-11-02T10:03:40Z", now, "en")).toBe("just now");
    expect(relativeTime("2026-11-02T10:04:40Z", now, "en")).toBe("in less than a minute");
    expect(relativeTime("not a date", now, "en")).toBe("unknown");
  });
});
