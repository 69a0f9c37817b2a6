// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Settings } from "../api/types";
import { fakeApi, Providers } from "../test-utils";
import { AlertsCard } from "./AlertsCard";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const settings: Settings = {
  alertWebhookUrl: null,
  monitorIntervalMinutes: 60,
  alertFailureShare: 0.2,
  auditRetentionDays: 365,
  jobsDeadlineHours: 24,
  oauthStaleHours: 24,
};

describe("AlertsCard", () => {
  it("edits when a Connect account connection counts as stale, with a message for values out of range", async () => {
    const calls = fakeApi({
      "GET /api/v1/settings": { status: 200, body: { data: settings } },
      "PUT /api/v1/settings": (body) => ({
        status: 200,
        body: { data: { ...settings, ...(body as object) } },
      }),
    });
    render(<AlertsCard />, { wrapper: Providers });
    const stale = await screen.findByLabelText<HTMLInputElement>(/^Connect account connection stale after/);
    expect(stale.value).toBe("24");
    const save = screen.getByRole<HTMLButtonElement>("button", { name: "Save" });

    fireEvent.change(stale, { target: { value: "0" } });
    expect(screen.getByText("Enter a whole number of hours from 1 to 8,760.")).toBeTruthy();
    expect(save.disabled).toBe(true);
    fireEvent.change(stale, { target: { value: "9000" } });
    expect(screen.getByText("Enter a whole number of hours from 1 to 8,760.")).toBeTruthy();

    fireEvent.change(stale, { target: { value: "72" } });
    expect(screen.queryByText(/Enter a whole number/)).toBeNull();
    fireEvent.click(save);
    await vi.waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")).toMatchObject({
      body: { oauthStaleHours: 72, monitorIntervalMinutes: 60, alertFailureShare: 0.2 },
    });
  });
});
