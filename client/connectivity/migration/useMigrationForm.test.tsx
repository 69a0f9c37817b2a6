// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, Providers } from "../../test-utils";
import type { MailboxAccessView } from "../types";
import { useMigrationForm } from "./useMigrationForm";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ewsAppOnly = {
  type: "ews-app-only",
  tenantId: "contoso.onmicrosoft.com",
  clientId: "00000000-0000-0000-0000-000000000001",
  clientSecretSet: true,
  certificate: { thumbprint: "AB" },
  ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
} as unknown as MailboxAccessView;

const identity = {
  type: "graph-app-only" as const,
  tenantId: "contoso.onmicrosoft.com",
  clientId: "00000000-0000-0000-0000-000000000001",
  clientSecret: "s",
};

function setup(current: MailboxAccessView) {
  const onStarted = vi.fn();
  const hook = renderHook(() => useMigrationForm({ profileId: "p1", current, onStarted }), {
    wrapper: Providers,
  });
  return { ...hook, onStarted };
}

describe("useMigrationForm", () => {
  it("lends an EWS app-only identity to the Graph form without its credential, and nothing from other types", () => {
    const { result } = setup(ewsAppOnly);
    expect(result.current.lent).toMatchObject({
      type: "graph-app-only",
      tenantId: "contoso.onmicrosoft.com",
      clientSecretSet: false,
      certificate: null,
    });
    cleanup();
    expect(setup({ type: "ews-basic-impersonation" } as MailboxAccessView).result.current.lent).toBeNull();
  });

  it("wants an out-of-scope mailbox, and starts the dry run with the identity and the needs", async () => {
    const calls = fakeApi({
      "POST /api/v1/profiles/p1/migrations": { status: 201, body: { data: { id: "m1", status: "dry-run" } } },
    });
    const { result, onStarted } = setup(ewsAppOnly);
    expect(result.current.outOfScopeProblem).toMatch(/outside the app's scope/);
    act(() => {
      result.current.setOutOfScopeUser(" ceo@contoso.com ");
      result.current.setArchive(true);
      result.current.setRolesJustAssigned(true);
    });
    expect(result.current.outOfScopeProblem).toBeUndefined();
    act(() => result.current.submit(identity));
    await waitFor(() => expect(onStarted).toHaveBeenCalled());
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      to: "graph-app-only",
      access: { tenantId: identity.tenantId, clientId: identity.clientId, clientSecret: "s" },
      outOfScopeUser: "ceo@contoso.com",
      needs: { archive: true, publicFolders: false },
      rolesJustAssigned: true,
    });
  });

  it("shows field refusals beside their fields and any other refusal above the form", async () => {
    fakeApi({
      "POST /api/v1/profiles/p1/migrations": {
        status: 400,
        body: {
          error: {
            id: "validation_failed",
            message: "invalid",
            details: [{ path: "outOfScopeUser", message: "in scope" }],
          },
        },
      },
    });
    const { result } = setup(ewsAppOnly);
    act(() => result.current.setOutOfScopeUser("ceo@contoso.com"));
    act(() => result.current.submit(identity));
    await waitFor(() => expect(result.current.serverErrors).toEqual({ outOfScopeUser: "in scope" }));
    expect(result.current.error).toBeNull();

    fakeApi({
      "POST /api/v1/profiles/p1/migrations": {
        status: 409,
        body: { error: { id: "migration_running", message: "A move is already under way." } },
      },
    });
    act(() => result.current.submit(identity));
    await waitFor(() => expect(result.current.error).toBe("A move is already under way."));
  });
});
