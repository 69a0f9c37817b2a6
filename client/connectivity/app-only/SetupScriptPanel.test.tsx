// @vitest-environment jsdom
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AccessTypeGuide } from "./AccessTypeGuide";
import { SetupScriptPanel } from "./SetupScriptPanel";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("app-only panel parts", () => {
  it("shows the generated PowerShell and copies it whole", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const script =
      'New-ManagementRoleAssignment -App "a0" -Role "Application EWS.AccessAsApp" -CustomResourceScope "S"';
    render(
      <FluentProvider theme={webLightTheme}>
        <SetupScriptPanel script={script} />
      </FluentProvider>,
    );
    expect(screen.getByLabelText("PowerShell to scope the app").textContent).toBe(script);
    fireEvent.click(screen.getByRole("button", { name: "Copy PowerShell" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Copied" })).toBeTruthy());
    expect(writeText).toHaveBeenCalledWith(script);
  });

  it("tells which access type fits which Exchange", () => {
    render(
      <FluentProvider theme={webLightTheme}>
        <AccessTypeGuide />
      </FluentProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Which access type fits my Exchange?" }));
    const text = document.body.textContent ?? "";
    expect(text).toMatch(/Basic authentication on EWS: Microsoft Exchange basic authorization/);
    expect(text).toMatch(/modern authentication \(OAuth\): Microsoft 365 OAuth Logon/);
    expect(text).toMatch(/Exchange Online: Microsoft 365 app-only \(Graph API\)/);
    expect(text).toMatch(/April 1, 2027.*Microsoft 365 app-only \(EWS API\)/);
  });
});
