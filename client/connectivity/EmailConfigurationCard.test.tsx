// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, Providers } from "../test-utils";
import { EmailConfigurationCard } from "./EmailConfigurationCard";
import { storedBasicAccess } from "./test-fixtures";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const stored = storedBasicAccess();

describe("EmailConfigurationCard", () => {
  it("shows the stored config write-only, keeps the password when unchanged, and shows the server's field errors", async () => {
    const calls = fakeApi({
      "GET /api/v1/profiles/p1/mailbox-access": { status: 200, body: { data: stored } },
      "PUT /api/v1/profiles/p1/mailbox-access": {
        status: 400,
        body: {
          error: {
            id: "validation_failed",
            message: "ewsUrl: host not allowed",
            details: [{ path: "ewsUrl", message: "host not allowed" }],
          },
        },
      },
    });
    render(<EmailConfigurationCard profileId="p1" />, { wrapper: Providers });
    await screen.findByText("Password is set");
    expect(screen.getByText("Exchange Online no longer allows Basic authentication.")).toBeTruthy();
    const save = screen.getByRole<HTMLButtonElement>("button", { name: "Save" });
    expect(save.disabled).toBe(true);

    // Same host, another path: the stored password stays.
    fireEvent.change(screen.getByLabelText(/Exchange Web Services \(EWS\) URL/), {
      target: { value: "https://mail.contoso.com/ews/exchange.asmx" },
    });
    expect(save.disabled).toBe(false);
    expect(screen.getByText("Password is set")).toBeTruthy();
    // Another host: the stored password is bound to the old one, so the form asks for it again.
    fireEvent.change(screen.getByLabelText(/Exchange Web Services \(EWS\) URL/), {
      target: { value: "https://ex.contoso.com/EWS/Exchange.asmx" },
    });
    expect(screen.getByText("Enter the password again to use it with ex.contoso.com.")).toBeTruthy();
    expect(save.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: "entered-again" } });
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    await screen.findByText("host not allowed");
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
      type: "ews-basic-impersonation",
      accountLogon: "svc-sync@contoso.com",
      ewsUrl: "https://ex.contoso.com/EWS/Exchange.asmx",
      password: "entered-again",
    });
  });

  it("says what to do when nothing is configured", async () => {
    fakeApi({ "GET /api/v1/profiles/p1/mailbox-access": { status: 200, body: { data: null } } });
    render(<EmailConfigurationCard profileId="p1" />, { wrapper: Providers });
    await screen.findByText("No mailbox access configured yet: choose a Mailbox Access Type.");
    expect(screen.queryByLabelText(/Account Logon/)).toBeNull();
  });

  it("shows the conflict message when someone else saved meanwhile (412)", async () => {
    fakeApi({
      "GET /api/v1/profiles/p1/mailbox-access": { status: 200, body: { data: stored } },
      "PUT /api/v1/profiles/p1/mailbox-access": {
        status: 412,
        body: { error: { id: "precondition_failed", message: "changed by someone else" } },
      },
    });
    render(<EmailConfigurationCard profileId="p1" />, { wrapper: Providers });
    fireEvent.click(await screen.findByRole("button", { name: "Change the password" }));
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: "new-secret" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("Someone else saved this configuration meanwhile");
    await waitFor(() => expect(screen.getByRole("button", { name: "Reload" })).toBeTruthy());
  });
});
