// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Migration } from "../../../contract/migrations";
import { fakeApi, Providers } from "../../test-utils";
import type { MailboxAccessView } from "../types";
import { daysLeft, liveMigration, useMoveToGraph } from "./useMoveToGraph";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const move = (status: Migration["status"], extra: Partial<Migration> = {}) =>
  ({ id: "m1", status, counts: { pass: 1, fail: 2, onPremises: 1, unchecked: 0 }, ...extra }) as Migration;

function setup(access: MailboxAccessView | null, latest: Migration | null) {
  const calls = fakeApi({
    "GET /api/v1/profiles/p1/migrations/latest": { status: 200, body: { data: latest } },
    "POST /api/v1/migrations/m1/apply": { status: 200, body: { data: move("applied") } },
  });
  const hook = renderHook(() => useMoveToGraph({ profileId: "p1", access }), { wrapper: Providers });
  return { ...hook, calls };
}

describe("useMoveToGraph", () => {
  it("shows a move under way, ready or applied, and counts whole days left", () => {
    expect(liveMigration(move("ready"))?.status).toBe("ready");
    expect(liveMigration(move("rolled-back"))).toBeNull();
    expect(liveMigration(null)).toBeNull();
    const now = Date.parse("2026-12-03T00:00:00Z");
    expect(daysLeft("2026-12-04T12:00:00Z", now)).toBe(2);
    expect(daysLeft("2026-12-01T00:00:00Z", now)).toBe(0);
    expect(daysLeft(null, now)).toBe(0);
  });

  it("shows the card and the form on EWS, and hides it on Graph unless a move was applied", async () => {
    const onEws = setup({ type: "ews-basic-impersonation" } as MailboxAccessView, null);
    expect(onEws.result.current.visible).toBe(true);
    expect(onEws.result.current.showForm).toBe(true);
    cleanup();
    const onGraph = setup({ type: "graph-app-only" } as MailboxAccessView, null);
    expect(onGraph.result.current.visible).toBe(false);
    cleanup();
    const applied = setup({ type: "graph-app-only" } as MailboxAccessView, move("applied"));
    await waitFor(() => expect(applied.result.current.visible).toBe(true));
    expect(applied.result.current.showForm).toBe(false);
  });

  it("hides the form while a dry run is ready until asked, and applies the move once confirmed", async () => {
    const { result, calls } = setup({ type: "ews-app-only" } as MailboxAccessView, move("ready"));
    await waitFor(() => expect(result.current.live?.status).toBe("ready"));
    expect(result.current.showForm).toBe(false);
    expect(result.current.failing).toBe(3);
    act(() => result.current.openForm());
    expect(result.current.showForm).toBe(true);
    act(() => result.current.setConfirm("apply"));
    act(() => result.current.handleConfirm());
    await waitFor(() => expect(result.current.confirm).toBeNull());
    expect(calls.some((c) => c.method === "POST" && c.path === "/api/v1/migrations/m1/apply")).toBe(true);
  });
});
