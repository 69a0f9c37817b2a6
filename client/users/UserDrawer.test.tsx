// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { UserDetail } from "../api/types";
import { fakeApi, Providers } from "../test-utils";
import { UserDrawer } from "./UserDrawer";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const user: UserDetail = {
  id: "u1",
  address: "ada@contoso.com",
  displayName: "Ada",
  profileId: "p1",
  state: "active",
  stalled: false,
  mailboxKind: "user",
  lastCheckedAt: minutesAgo(30),
  lastError: null,
  lastSyncAt: minutesAgo(4),
  syncErrors: [{ code: "CrmWriteFailed", message: "A calendar item could not be written to the CRM." }],
  createdAt: minutesAgo(600),
  updatedAt: minutesAgo(4),
  checkHistory: [{ checkedAt: minutesAgo(30), ok: true, code: null, message: null, ms: 120, jobId: null }],
  syncSessions: [
    {
      id: "s2",
      startedAt: minutesAgo(5),
      finishedAt: minutesAgo(4),
      itemsIn: 12,
      itemsOut: 3,
      ok: false,
      errors: [{ code: "CrmWriteFailed", message: "A calendar item could not be written to the CRM." }],
    },
    {
      id: "s1",
      startedAt: minutesAgo(65),
      finishedAt: minutesAgo(64),
      itemsIn: 1200,
      itemsOut: 0,
      ok: true,
      errors: [],
    },
  ],
};

describe("UserDrawer sync", () => {
  it("shows the latest sync errors up top and the sync sessions under the check history", async () => {
    fakeApi({ "GET /api/v1/users/u1": { status: 200, body: { data: user } } });
    render(<UserDrawer userId="u1" profileId="p1" onClose={() => {}} />, { wrapper: Providers });
    await screen.findByText("The latest sync reported an error");
    expect(screen.getByText("4 minutes ago")).toBeTruthy();

    const sessions = screen.getByLabelText("Sync sessions, newest first");
    const items = sessions.querySelectorAll(":scope > li");
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain("1 error · 12 in · 3 out");
    expect(items[0].textContent).toContain("Finished 4 minutes ago");
    expect(items[0].textContent).toContain("CrmWriteFailed");
    expect(items[0].textContent).toContain("A calendar item could not be written to the CRM.");
    expect(items[1].textContent).toContain(`Synced · ${(1200).toLocaleString()} in · 0 out`);
    expect(items[1].textContent).toContain("Finished 1 hour ago");

    // The sessions come after the check history, in reading order.
    const history = screen.getByText("Check history");
    const sessionsTitle = screen.getByText("Sync sessions");
    expect(history.compareDocumentPosition(sessionsTitle) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("says when the sync service hasn't reported yet, with no warning", async () => {
    fakeApi({
      "GET /api/v1/users/u1": {
        status: 200,
        body: { data: { ...user, lastSyncAt: null, syncErrors: null, syncSessions: [] } },
      },
    });
    render(<UserDrawer userId="u1" profileId="p1" onClose={() => {}} />, { wrapper: Providers });
    await screen.findByText("The sync service hasn't reported a session for this mailbox yet.");
    expect(screen.queryByText(/The latest sync reported/)).toBeNull();
    expect(screen.getByText("Never")).toBeTruthy();
  });
});
