// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, Providers } from "../test-utils";
import { SetupPage } from "./SetupPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const fill = (label: string, value: string) =>
  fireEvent.change(screen.getByLabelText(new RegExp(`^${label}`)), { target: { value } });

describe("SetupPage", () => {
  it("checks the passwords before sending, then sends the token with the new admin", async () => {
    const calls = fakeApi({
      "POST /api/v1/setup": {
        status: 201,
        body: { data: { id: "a1", email: "first@contoso.com", createdAt: "2026-11-26T10:00:00Z" } },
      },
    });
    render(<SetupPage token="tok-1" />, { wrapper: Providers });
    fill("Email", "first@contoso.com");
    fill("Password", "short");
    fill("Repeat password", "other");
    fireEvent.click(screen.getByRole("button", { name: "Create admin and sign in" }));
    expect(await screen.findByText("Use at least 12 characters.")).toBeTruthy();
    expect(screen.getByText("The passwords don't match.")).toBeTruthy();
    expect(calls).toHaveLength(0);

    fill("Password", "a-long-enough-password");
    fill("Repeat password", "a-long-enough-password");
    fireEvent.click(screen.getByRole("button", { name: "Create admin and sign in" }));
    await vi.waitFor(() =>
      expect(calls.find((c) => c.path === "/api/v1/setup")?.body).toEqual({
        token: "tok-1",
        email: "first@contoso.com",
        password: "a-long-enough-password",
      }),
    );
  });

  it("says so when the link has no token", () => {
    fakeApi({});
    render(<SetupPage token="" />, { wrapper: Providers });
    expect(screen.getByText(/This link has no setup token/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create admin and sign in" }).hasAttribute("disabled")).toBe(
      true,
    );
  });
});
