// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, fireEvent } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Profile } from "../../contract/profiles";
import { fakeApi, Providers } from "../test-utils";
import { ProfilesPage } from "./ProfilesPage";

const me = {
  kind: "local" as const,
  id: "a1",
  name: "admin@example.com",
  platformAdmin: true,
  profileIds: null,
};

function buildProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: "p1",
    name: "Head office",
    description: "",
    syncEnabled: true,
    maxConcurrentConnections: 10,
    accessType: "ews-basic-impersonation",
    ewsEndsOn: null,
    counts: { "not-activated": 0, pending: 0, active: 2, error: 1, paused: 0 },
    alert: null,
    stalledAfterHours: 24,
    stalledAlertPercent: 10,
    createdAt: "2026-11-26T10:00:00.000Z",
    updatedAt: "2026-11-26T10:00:00.000Z",
    ...overrides,
  };
}

/** The overview of these profiles, as GET /overview answers it. */
function overviewOf(profiles: Profile[]) {
  const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, "0")}`);
  const each = (f: (i: number) => number) => days.map((_, i) => f(i));
  const trend = {
    checks: each(() => 10),
    checkFailures: each((i) => (i === 29 ? 4 : 0)),
    syncReports: each(() => 0),
    syncFailures: each(() => 0),
    error: each(() => 1),
    stalled: each(() => 0),
  };
  return {
    data: {
      generatedAt: "2026-11-30T12:00:00.000Z",
      trendDays: days,
      totals: {
        profiles: profiles.length,
        counts: { "not-activated": 0, pending: 0, active: 2, error: 1, paused: 0 },
        stalled: 1,
        openAlerts: 0,
        credentialsExpiring: 0,
      },
      profiles: profiles.map((p) => ({ ...p, stalled: 1, deadlines: [], trend })),
    },
  };
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("ProfilesPage", () => {
  it("says what to do when there are no profiles", async () => {
    fakeApi({ "GET /api/v1/overview": { status: 200, body: overviewOf([]) } });
    render(<ProfilesPage me={me} />, { wrapper: Providers });
    await screen.findByText("No profiles yet");
    expect(screen.getAllByRole("button", { name: "Create profile" }).length).toBeGreaterThan(0);
  });

  it("lists profiles with counts, and shows the server's reason when a delete is refused", async () => {
    const calls = fakeApi({
      "GET /api/v1/overview": { status: 200, body: overviewOf([buildProfile()]) },
      "DELETE /api/v1/profiles/p1": {
        status: 409,
        body: {
          error: {
            id: "conflict",
            message: "This profile still has 2 active users. Pause or move them first.",
          },
        },
      },
    });
    render(<ProfilesPage me={me} />, { wrapper: Providers });
    await screen.findByRole("link", { name: "Head office" });
    expect(screen.getAllByRole("img", { name: "3 users: 2 active, 1 error" }).length).toBeGreaterThan(0);
    // Every number opens the filtered users; the trend is described in words.
    expect(screen.getByRole("link", { name: "1 error" }).getAttribute("href")).toBe(
      "/profiles/p1/users?state=error",
    );
    expect(screen.getByRole("link", { name: "1 stalled in Head office" }).getAttribute("href")).toBe(
      "/profiles/p1/users?stalled=true",
    );
    expect(screen.getByRole("img", { name: /^4 failures in the last 30 days/ })).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Actions for Head office" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Delete" }));
    fireEvent.click(await screen.findByRole("button", { name: "Delete profile" }));
    await screen.findByText("This profile still has 2 active users. Pause or move them first.");
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
    // The dialog stays open so the admin can read why; nothing was removed from the list.
    await waitFor(() => expect(screen.getByText("Delete Head office?")).toBeTruthy());
    expect(screen.getByRole("link", { name: "Head office" })).toBeTruthy();
  });
});
