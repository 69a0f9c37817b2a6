// @vitest-environment jsdom
import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, Providers } from "../test-utils";
import type { MailboxAccessView } from "./types";
import { useOAuthAccess } from "./useOAuthAccess";

vi.mock("./openAuthWindow", () => ({ openAuthWindow: vi.fn(() => Promise.resolve("popup")) }));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const view = (connected: boolean) =>
  ({
    type: "ews-oauth-impersonation",
    label: "Microsoft 365 OAuth Logon (EWS API) - Impersonated logon",
    version: 1,
    updatedAt: "2026-11-26T10:00:00.000Z",
    updatedBy: "admin@example.com",
    warnings: [],
    ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    connectedAccount: connected
      ? {
          upn: "svc@contoso.com",
          tenantId: "t1",
          objectId: "o1",
          connectedAt: "2026-11-26T10:00:00.000Z",
          lastRefreshAt: null,
        }
      : null,
  }) as MailboxAccessView;

function setup(stored: MailboxAccessView | null) {
  const onSave = vi.fn();
  const hook = renderHook(() => useOAuthAccess({ profileId: "p1", stored, onSave }), { wrapper: Providers });
  return { ...hook, onSave };
}

describe("useOAuthAccess", () => {
  it("saves the type first (the EWS URL optional and trimmed); Connect account waits for it", () => {
    const { result, onSave } = setup(null);
    expect(result.current.isStored).toBe(false);
    expect(result.current.canSave).toBe(true);
    expect(result.current.canConnect).toBe(false);
    act(() => result.current.save());
    expect(onSave).toHaveBeenLastCalledWith({ type: "ews-oauth-impersonation" });
    act(() => result.current.setEwsUrl("not a url"));
    expect(result.current.urlProblem).toMatch(/Enter a full URL/);
    expect(result.current.canSave).toBe(false);
    act(() => result.current.setEwsUrl(" https://mail.contoso.com/EWS/Exchange.asmx "));
    act(() => result.current.save());
    expect(onSave).toHaveBeenLastCalledWith({
      type: "ews-oauth-impersonation",
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    });
  });

  it("connects once saved and unchanged, for a valid UPN, naming it in the sign-in request", async () => {
    const calls = fakeApi({
      "POST /api/v1/profiles/p1/oauth/start": { status: 200, body: { data: { url: "https://login/x" } } },
    });
    const { result } = setup(view(false));
    expect(result.current.canSave).toBe(false); // nothing changed
    expect(result.current.canConnect).toBe(false); // no UPN yet
    act(() => result.current.setExpectedUpn("svc"));
    expect(result.current.upnProblem).toMatch(/UPN/);
    expect(result.current.canConnect).toBe(false);
    act(() => result.current.setExpectedUpn(" svc@contoso.com "));
    expect(result.current.canConnect).toBe(true);
    act(() => result.current.setEwsUrl("https://ex.contoso.com/EWS/Exchange.asmx"));
    expect(result.current.canConnect).toBe(false); // save the change first
    act(() => result.current.setEwsUrl("https://mail.contoso.com/EWS/Exchange.asmx"));
    await act(() => result.current.connect());
    expect(calls.find((c) => c.path.endsWith("/oauth/start"))?.body).toEqual({
      expectedUpn: "svc@contoso.com",
    });
    expect(result.current.busy).toBeNull();
  });

  it("proposes the connected account for Reconnect, and disconnects", async () => {
    const calls = fakeApi({ "DELETE /api/v1/profiles/p1/oauth": { status: 204 } });
    const { result } = setup(view(true));
    expect(result.current.account?.upn).toBe("svc@contoso.com");
    expect(result.current.expectedUpn).toBe("svc@contoso.com");
    expect(result.current.canReconnect).toBe(true);
    await act(() => result.current.disconnect());
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/v1/profiles/p1/oauth")).toBe(true);
  });
});
