// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Providers } from "../test-utils";
import { AppOnlyAccessForm } from "./AppOnlyAccessForm";
import type { MailboxAccessViewOf } from "./types";

afterEach(cleanup);

const CLIENT_ID = "7f3c2b1a-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe("AppOnlyAccessForm: the client secret's expiry", () => {
  it("sends the expiry date with a new client secret, refusing a past date before sending", () => {
    const onSave = vi.fn();
    render(
      <AppOnlyAccessForm
        type="graph-app-only"
        stored={null}
        saving={false}
        serverErrors={{}}
        onSave={onSave}
      />,
      { wrapper: Providers },
    );
    fireEvent.change(screen.getByLabelText(/Tenant ID/), { target: { value: "contoso.onmicrosoft.com" } });
    fireEvent.change(screen.getByLabelText(/Application \(client\) ID/), { target: { value: CLIENT_ID } });
    const expiry = screen.getByLabelText<HTMLInputElement>(/Client secret expires on/);
    expect(expiry.disabled).toBe(true); // nothing to date until a secret is entered
    fireEvent.change(screen.getByLabelText(/^Client secret$/), { target: { value: "a-client-secret" } });
    expect(expiry.disabled).toBe(false);
    const save = screen.getByRole<HTMLButtonElement>("button", { name: "Save" });

    fireEvent.change(expiry, { target: { value: inDays(-2) } });
    expect(screen.getByText(/That date has passed/)).toBeTruthy();
    expect(save.disabled).toBe(true);

    fireEvent.change(expiry, { target: { value: inDays(90) } });
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    expect(onSave).toHaveBeenCalledWith(
      expect.objectContaining({ clientSecret: "a-client-secret", clientSecretExpiresOn: inDays(90) }),
    );
  });

  it("shows a stored secret's expiry and days left, and says when none was entered", () => {
    const base: MailboxAccessViewOf<"graph-app-only"> = {
      type: "graph-app-only",
      label: "Microsoft 365 app-only (Graph API)",
      version: 1,
      updatedAt: "2026-12-01T00:00:00Z",
      updatedBy: "admin",
      warnings: [],
      tenantId: "contoso.onmicrosoft.com",
      clientId: CLIENT_ID,
      credential: "secret",
      clientSecretSet: true,
      clientSecretExpiresOn: null,
      clientSecretDaysLeft: null,
      certificate: null,
      setupScript: "",
      graphBaseUrl: "https://graph.microsoft.com",
      permissions: [],
    };
    const { unmount } = render(
      <AppOnlyAccessForm
        type="graph-app-only"
        stored={{ ...base, clientSecretExpiresOn: "2027-06-30", clientSecretDaysLeft: 12 }}
        saving={false}
        serverErrors={{}}
        onSave={vi.fn()}
      />,
      { wrapper: Providers },
    );
    expect(screen.getByText("Client secret is set, expires 2027-06-30 (12 days)")).toBeTruthy();
    unmount();
    render(
      <AppOnlyAccessForm
        type="graph-app-only"
        stored={base}
        saving={false}
        serverErrors={{}}
        onSave={vi.fn()}
      />,
      { wrapper: Providers },
    );
    expect(screen.getByText("Client secret is set (expiry date not entered)")).toBeTruthy();
  });
});
