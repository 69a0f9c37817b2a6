// @vitest-environment jsdom
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { describeCounts, StateBar } from "./StateBar";

afterEach(cleanup);

describe("StateBar", () => {
  it("describes the counts for screen readers", () => {
    expect(describeCounts({ active: 3, error: 1, "not-activated": 0, pending: 0, paused: 0 })).toBe(
      "4 users: 3 active, 1 error",
    );
    expect(describeCounts({})).toBe("No users");
  });

  it("draws one segment per non-empty state, sized by share, with a legend", () => {
    render(
      <FluentProvider theme={webLightTheme}>
        <StateBar counts={{ active: 3, error: 1, "not-activated": 0, pending: 0, paused: 0 }} legend />
      </FluentProvider>,
    );
    const bar = screen.getByRole("img", { name: "4 users: 3 active, 1 error" });
    const widths = [...bar.children].map((c) => (c as HTMLElement).style.width);
    expect(widths).toEqual(["75%", "25%"]);
    expect(screen.getByText("Active 3")).toBeTruthy();
  });
});
