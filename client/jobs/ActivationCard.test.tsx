// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, Providers } from "../test-utils";
import { ActivationCard } from "./ActivationCard";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const counts = (over: Record<string, number> = {}) => ({
  "not-activated": 0,
  pending: 0,
  active: 0,
  error: 0,
  paused: 0,
  ...over,
});

function profileWith(stateCounts: Record<string, number>) {
  return {
    id: "p1",
    name: "Default",
    description: "",
    syncEnabled: true,
    maxConcurrentConnections: 10,
    accessType: "ews-basic-impersonation",
    counts: stateCounts,
    alert: null,
    createdAt: "2026-11-26T10:00:00.000Z",
    updatedAt: "2026-11-26T10:00:00.000Z",
  };
}

describe("ActivationCard", () => {
  it("with no users, says to add users first and links the Users tab", async () => {
    fakeApi({
      "GET /api/v1/profiles/p1": { status: 200, body: { data: profileWith(counts()) } },
      "GET /api/v1/jobs": { status: 200, body: { data: [], nextCursor: null } },
    });
    render(<ActivationCard profileId="p1" configured />, { wrapper: Providers });
    const link = await screen.findByRole("link", { name: "Users tab" });
    expect(link.getAttribute("href")).toBe("/profiles/p1/users");
    expect(screen.getByText(/has no users yet: add them first/)).toBeTruthy();
    expect(screen.queryByText("Every user is active, pending or paused.")).toBeNull();
    expect(
      screen.getByRole<HTMLButtonElement>("button", { name: /Activate sync for all users/ }).disabled,
    ).toBe(true);
  });

  it("with users to activate, counts them and offers no hint about adding users", async () => {
    fakeApi({
      "GET /api/v1/profiles/p1": { status: 200, body: { data: profileWith(counts({ "not-activated": 3 })) } },
      "GET /api/v1/jobs": { status: 200, body: { data: [], nextCursor: null } },
    });
    render(<ActivationCard profileId="p1" configured />, { wrapper: Providers });
    await screen.findByText("3 users to activate.");
    expect(screen.queryByRole("link", { name: "Users tab" })).toBeNull();
  });
});
