// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import type { FormEvent } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-utils";
import type { MailboxAccessView } from "./types";
import { useBasicAccessForm } from "./useBasicAccessForm";
import { storedBasicAccess } from "./test-fixtures";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const stored = storedBasicAccess({ warnings: [] });

const submitEvent = () => ({ preventDefault: vi.fn() }) as unknown as FormEvent;

function setup(options: { stored?: MailboxAccessView | null; serverErrors?: Record<string, string> } = {}) {
  const onSave = vi.fn();
  const hook = renderHook(() =>
    useBasicAccessForm({
      profileId: "p1",
      stored: options.stored ?? null,
      serverErrors: options.serverErrors ?? {},
      onSave,
    }),
  );
  return { ...hook, onSave };
}

describe("useBasicAccessForm", () => {
  it("starts empty without a stored Basic configuration, and shows problems only once touched", () => {
    const { result, onSave } = setup();
    expect(result.current.needsPassword).toBe(true);
    expect(result.current.valid).toBe(false);
    expect(result.current.shown("accountLogon")).toBeUndefined();
    act(() => result.current.touch("accountLogon"));
    expect(result.current.shown("accountLogon")).toBe("Enter the service account's logon.");
    // Submitting touches every field and sends nothing while the form is invalid.
    act(() => result.current.handleSubmit(submitEvent()));
    expect(result.current.shown("password")).toBe("Enter the service account's password.");
    expect(result.current.shown("ewsUrl")).toBe("Enter the EWS URL, or use Autodiscover.");
    expect(onSave).not.toHaveBeenCalled();
  });

  it("sends a new configuration with its password, trimmed", () => {
    const { result, onSave } = setup();
    act(() => {
      result.current.setAccountLogon(" svc@contoso.com ");
      result.current.setEwsUrl("https://mail.contoso.com/EWS/Exchange.asmx ");
      result.current.setPassword("secret");
    });
    expect(result.current.valid).toBe(true);
    act(() => result.current.handleSubmit(submitEvent()));
    expect(onSave).toHaveBeenCalledWith({
      type: "ews-basic-impersonation",
      accountLogon: "svc@contoso.com",
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
      password: "secret",
    });
  });

  it("keeps the stored password on the same host, and asks for it again on another host or logon", () => {
    const { result, onSave } = setup({ stored });
    expect(result.current.needsPassword).toBe(false);
    expect(result.current.dirty).toBe(false);
    act(() => result.current.setEwsUrl("https://mail.contoso.com/ews/exchange.asmx"));
    expect(result.current.needsPassword).toBe(false);
    expect(result.current.dirty).toBe(true);
    act(() => result.current.handleSubmit(submitEvent()));
    expect(onSave).toHaveBeenLastCalledWith({
      type: "ews-basic-impersonation",
      accountLogon: "svc-sync@contoso.com",
      ewsUrl: "https://mail.contoso.com/ews/exchange.asmx",
    });

    act(() => result.current.setEwsUrl("https://ex.contoso.com/EWS/Exchange.asmx"));
    expect(result.current.rebindHost).toBe("ex.contoso.com");
    expect(result.current.valid).toBe(false);
    // A rebind says so at once, without waiting for the field to be touched.
    expect(result.current.passwordMessage).toBe("Enter the password again to use it with ex.contoso.com.");

    act(() => result.current.setEwsUrl("https://mail.contoso.com/EWS/Exchange.asmx"));
    act(() => result.current.setAccountLogon("other@contoso.com"));
    expect(result.current.rebindHost).toBe("mail.contoso.com");
  });

  it("changes the password on request and keeps the stored one again, forgetting what was typed", () => {
    const { result } = setup({ stored });
    act(() => result.current.changePassword());
    expect(result.current.needsPassword).toBe(true);
    act(() => result.current.setPassword("typed"));
    expect(result.current.dirty).toBe(true);
    act(() => result.current.keepStoredPassword());
    expect(result.current.needsPassword).toBe(false);
    expect(result.current.password).toBe("");
    expect(result.current.dirty).toBe(false);
  });

  it("shows the server's field errors until the field's own problem shows", () => {
    const { result } = setup({ stored, serverErrors: { ewsUrl: "host not allowed" } });
    expect(result.current.shown("ewsUrl")).toBe("host not allowed");
    act(() => result.current.setEwsUrl("not a url"));
    act(() => result.current.touch("ewsUrl"));
    expect(result.current.shown("ewsUrl")).toMatch(/Enter a full URL/);
  });

  it("fills the EWS URL from Autodiscover, and says why it failed", async () => {
    const calls = fakeApi({
      "POST /api/v1/autodiscover": {
        status: 200,
        body: { data: { ewsUrl: "https://ex.contoso.com/EWS/Exchange.asmx", steps: [], sentTo: [] } },
      },
    });
    const { result } = setup();
    expect(result.current.canAutodiscover).toBe(false);
    act(() => result.current.setAccountLogon("svc@contoso.com"));
    expect(result.current.canAutodiscover).toBe(true);
    await act(() => result.current.runAutodiscover());
    expect(calls[0].body).toEqual({ email: "svc@contoso.com", profileId: "p1" });
    expect(result.current.ewsUrl).toBe("https://ex.contoso.com/EWS/Exchange.asmx");
    expect(result.current.discovery?.result?.ewsUrl).toBe("https://ex.contoso.com/EWS/Exchange.asmx");

    fakeApi({
      "POST /api/v1/autodiscover": {
        status: 502,
        body: { error: { id: "autodiscover_failed", message: "No Autodiscover answer" } },
      },
    });
    await act(() => result.current.runAutodiscover("mail.contoso.com"));
    await waitFor(() => expect(result.current.discovery?.error).toBe("No Autodiscover answer"));
    expect(result.current.discovering).toBe(false);
  });
});
