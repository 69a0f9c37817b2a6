// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import type { FormEvent } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, Providers } from "../test-utils";
import { endOfDayIso } from "./serviceKeyText";
import { useCreateServiceKeyForm } from "./useCreateServiceKeyForm";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const submitEvent = () => ({ preventDefault: vi.fn() }) as unknown as FormEvent;

describe("useCreateServiceKeyForm", () => {
  it("keeps the scopes in the offered order and wants at least one", () => {
    fakeApi({ "GET /api/v1/profiles": { status: 200, body: { data: [] } } });
    const { result } = renderHook(() => useCreateServiceKeyForm({ onClose: vi.fn(), onCreated: vi.fn() }), {
      wrapper: Providers,
    });
    expect(result.current.scopes).toEqual(["roster:read", "ews:read", "reports:write"]);
    act(() => result.current.toggleScope("roster:read", false));
    act(() => result.current.toggleScope("roster:read", true));
    expect(result.current.scopes).toEqual(["roster:read", "ews:read", "reports:write"]);
    for (const s of ["roster:read", "ews:read", "reports:write"] as const) {
      act(() => result.current.toggleScope(s, false));
    }
    expect(result.current.scopeError).toBe("Choose at least one scope.");
    act(() => result.current.setName("CRM sync"));
    expect(result.current.valid).toBe(false);
  });

  it("creates the key for one profile until the end of the chosen day, then closes and hands it over", async () => {
    const created = { id: "k1", key: "msk_secret" };
    const calls = fakeApi({
      "GET /api/v1/profiles": { status: 200, body: { data: [{ id: "p1", name: "Head office" }] } },
      "POST /api/v1/service-keys": { status: 201, body: { data: created } },
    });
    const onClose = vi.fn();
    const onCreated = vi.fn();
    const { result } = renderHook(() => useCreateServiceKeyForm({ onClose, onCreated }), {
      wrapper: Providers,
    });
    expect(result.current.profileLabel).toBe("All profiles");
    act(() => {
      result.current.setName(" CRM sync ");
      result.current.setProfileId("p1");
      result.current.setExpiresOn("2027-06-30");
    });
    await waitFor(() => expect(result.current.profileLabel).toBe("Head office"));
    act(() => result.current.handleSubmit(submitEvent()));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(onClose).toHaveBeenCalled();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      name: "CRM sync",
      scopes: ["roster:read", "ews:read", "reports:write"],
      profileId: "p1",
      expiresAt: endOfDayIso("2027-06-30"),
    });
  });
});
