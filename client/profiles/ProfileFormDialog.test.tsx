// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Profile } from "../../contract/profiles";
import { fakeApi, Providers } from "../test-utils";
import { ProfileFormDialog } from "./ProfileFormDialog";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const profile: Profile = {
  id: "p1",
  name: "Head office",
  description: "old",
  syncEnabled: true,
  maxConcurrentConnections: 10,
  accessType: null,
  ewsEndsOn: null,
  counts: { "not-activated": 0, pending: 0, active: 0, error: 0, paused: 0 },
  alert: null,
  stalledAfterHours: 24,
  stalledAlertPercent: 10,
  createdAt: "2026-11-26T10:00:00.000Z",
  updatedAt: "2026-11-26T10:00:00.000Z",
};

describe("ProfileFormDialog", () => {
  it("edits name and description with a PATCH and closes", async () => {
    const calls = fakeApi({
      "PATCH /api/v1/profiles/p1": (body) => ({
        status: 200,
        body: { data: { ...profile, ...(body as object) } },
      }),
    });
    const onClose = vi.fn();
    render(<ProfileFormDialog open profile={profile} onClose={onClose} />, { wrapper: Providers });
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: "  Frankfurt  " } });
    fireEvent.change(screen.getByLabelText("Description"), { target: { value: "Exchange 2019" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls[0]).toMatchObject({
      method: "PATCH",
      body: { name: "Frankfurt", description: "Exchange 2019", maxConcurrentConnections: 10 },
    });
  });

  it("shows a name conflict next to the form and stays open", async () => {
    fakeApi({
      "POST /api/v1/profiles": {
        status: 409,
        body: { error: { id: "conflict", message: 'A profile named "Default" already exists.' } },
      },
    });
    const onClose = vi.fn();
    render(<ProfileFormDialog open onClose={onClose} />, { wrapper: Providers });
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: "Default" } });
    fireEvent.click(screen.getByRole("button", { name: "Create" }));
    await screen.findByText('A profile named "Default" already exists.');
    expect(onClose).not.toHaveBeenCalled();
  });

  it("edits the stalled-sync threshold and alert share, with a message for values out of range", async () => {
    const calls = fakeApi({
      "PATCH /api/v1/profiles/p1": (body) => ({
        status: 200,
        body: { data: { ...profile, ...(body as object) } },
      }),
    });
    const onClose = vi.fn();
    render(<ProfileFormDialog open profile={profile} onClose={onClose} />, { wrapper: Providers });
    const hours = screen.getByLabelText(/^Stalled after \(hours\)/);
    const share = screen.getByLabelText(/^Alert when this share of mailboxes is stalled/);
    expect((hours as HTMLInputElement).value).toBe("24");
    expect((share as HTMLInputElement).value).toBe("10");
    const save = screen.getByRole("button", { name: "Save" });

    fireEvent.change(hours, { target: { value: "0" } });
    expect(screen.getByText("Enter a whole number of hours from 1 to 720.")).toBeTruthy();
    fireEvent.change(hours, { target: { value: "721" } });
    expect(screen.getByText("Enter a whole number of hours from 1 to 720.")).toBeTruthy();
    fireEvent.change(share, { target: { value: "12.5" } });
    expect(screen.getByText("Enter a whole number of percent from 1 to 100.")).toBeTruthy();
    expect((save as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(save);
    expect(calls).toHaveLength(0);

    fireEvent.change(hours, { target: { value: "48" } });
    fireEvent.change(share, { target: { value: "25" } });
    expect(screen.queryByText(/Enter a whole number/)).toBeNull();
    fireEvent.click(save);
    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls[0]).toMatchObject({
      method: "PATCH",
      body: { stalledAfterHours: 48, stalledAlertPercent: 25 },
    });
  });

  it("shows the server's message for a stalled field next to it", async () => {
    fakeApi({
      "PATCH /api/v1/profiles/p1": {
        status: 400,
        body: {
          error: {
            id: "validation_failed",
            message: "Invalid request body.",
            details: [{ path: ["stalledAfterHours"], message: "Too big: expected number to be <=720" }],
          },
        },
      },
    });
    render(<ProfileFormDialog open profile={profile} onClose={vi.fn()} />, { wrapper: Providers });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("Too big: expected number to be <=720");
  });

  it("creates a profile without the stalled fields (they start at their defaults)", () => {
    fakeApi({});
    render(<ProfileFormDialog open onClose={vi.fn()} />, { wrapper: Providers });
    expect(screen.queryByLabelText(/^Stalled after/)).toBeNull();
  });
});
