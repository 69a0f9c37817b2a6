// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, Providers } from "../test-utils";
import { AddUsersDialog } from "./AddUsersDialog";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("AddUsersDialog", () => {
  it("sends the pasted lines and shows added, duplicate and invalid lines with reasons", async () => {
    const calls = fakeApi({
      "POST /api/v1/profiles/p1/users": {
        status: 200,
        body: {
          data: {
            added: 1,
            duplicates: [{ line: 2, address: "a@contoso.com" }],
            invalid: [{ line: 3, input: "nope", reason: "not an e-mail address" }],
          },
        },
      },
    });
    render(<AddUsersDialog profileId="p1" open onClose={() => {}} />, { wrapper: Providers });
    fireEvent.change(screen.getByLabelText("Addresses"), {
      target: { value: "a@contoso.com\na@contoso.com\nnope" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Add 3 users" }));
    await screen.findByText("1 added · 1 duplicate · 1 invalid");
    expect(screen.getByText(/not an e-mail address/)).toBeTruthy();
    expect(screen.getByText("Line 2: a@contoso.com")).toBeTruthy();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      text: "a@contoso.com\na@contoso.com\nnope",
    });
    // The Add button is gone: focus is on Done (Enter or Escape closes), and Add more goes back to the text.
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Done" }));
    fireEvent.click(screen.getByRole("button", { name: "Add more" }));
    expect(document.activeElement).toBe(screen.getByLabelText("Addresses"));
  });

  it("shows the server's refusal and keeps the text", async () => {
    fakeApi({
      "POST /api/v1/profiles/p1/users": {
        status: 413,
        body: { error: { id: "too_many_lines", message: "Paste at most 10,000 lines at once." } },
      },
    });
    render(<AddUsersDialog profileId="p1" open onClose={() => {}} />, { wrapper: Providers });
    fireEvent.change(screen.getByLabelText("Addresses"), { target: { value: "a@contoso.com" } });
    fireEvent.click(screen.getByRole("button", { name: "Add 1 user" }));
    await screen.findByText("Paste at most 10,000 lines at once.");
    expect(screen.getByLabelText<HTMLTextAreaElement>("Addresses").value).toBe("a@contoso.com");
  });
});
