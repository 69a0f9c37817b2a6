// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, Providers } from "../test-utils";
import { countLines, useAddUsersForm } from "./useAddUsersForm";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("useAddUsersForm", () => {
  it("counts only the non-blank lines, and adds nothing until there is one", () => {
    expect(countLines("")).toBe(0);
    expect(countLines("a@x.com\r\n\n  \nb@x.com, B\n")).toBe(2);
    fakeApi({});
    const { result } = renderHook(() => useAddUsersForm("p1", vi.fn()), { wrapper: Providers });
    expect(result.current.canSubmit).toBe(false);
    act(() => result.current.setText(" \n"));
    expect(result.current.canSubmit).toBe(false);
    act(() => result.current.setText("a@x.com\nb@x.com"));
    expect(result.current.lines).toBe(2);
    expect(result.current.canSubmit).toBe(true);
  });

  it("reads a dropped file, forgets its name once the text is edited, and clears everything on close", async () => {
    fakeApi({});
    const onClose = vi.fn();
    const { result } = renderHook(() => useAddUsersForm("p1", onClose), { wrapper: Providers });
    const file = new File(["address,displayName\nana@x.com,Ana\n"], "team.csv", { type: "text/csv" });
    const preventDefault = vi.fn();
    act(() => result.current.dragOver({ preventDefault } as never));
    expect(result.current.dragging).toBe(true);
    act(() => result.current.drop({ preventDefault, dataTransfer: { files: [file] } } as never));
    expect(result.current.dragging).toBe(false);
    await waitFor(() => expect(result.current.lines).toBe(2));
    expect(result.current.fileName).toBe("team.csv");
    act(() => result.current.setText(`${result.current.text}bo@x.com\n`));
    expect(result.current.fileName).toBeNull();
    act(() => result.current.close());
    expect(onClose).toHaveBeenCalledOnce();
    expect(result.current.text).toBe("");
  });

  it("sends the text as it is and keeps the server's answer for the dialog to list", async () => {
    const answer = {
      added: 1,
      duplicates: [],
      invalid: [{ line: 2, input: "nope", reason: "not an e-mail address" }],
    };
    const calls = fakeApi({ "POST /api/v1/profiles/p1/users": { status: 200, body: { data: answer } } });
    const { result } = renderHook(() => useAddUsersForm("p1", vi.fn()), { wrapper: Providers });
    act(() => result.current.setText("ana@x.com\nnope"));
    act(() => result.current.submit());
    await waitFor(() => expect(result.current.result).toEqual(answer));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ text: "ana@x.com\nnope" });
    act(() => result.current.reset());
    await waitFor(() => expect(result.current.result).toBeUndefined());
    expect(result.current.text).toBe("");
  });
});
