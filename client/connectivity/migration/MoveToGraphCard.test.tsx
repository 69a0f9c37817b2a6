// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Job } from "../../../contract/jobs";
import type { Migration } from "../../../contract/migrations";
import { fakeApi, Providers } from "../../test-utils";
import type { MailboxAccessView } from "../types";
import { MoveToGraphCard } from "./MoveToGraphCard";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const migration = (status: Migration["status"]): Migration => ({
  id: "m1",
  profileId: "p1",
  from: "ews-app-only",
  to: "graph-app-only",
  status,
  dryRunJobId: "j1",
  recheckJobId: null,
  identity: {
    tenantId: "contoso.onmicrosoft.com",
    clientId: "00000000-0000-0000-0000-000000000001",
    credential: "secret",
    servicePrincipalObjectId: null,
    scopeGroup: null,
  },
  roles: ["Application Mail.ReadWrite"],
  setupScript: "New-ManagementRoleAssignment -App x -Role 'Application Mail.ReadWrite'",
  outOfScopeUser: "ceo@contoso.com",
  outOfScope: status === "dry-run" ? null : { refused: true, detail: "refused" },
  counts: { pass: 2, fail: 0, onPremises: 0, unchecked: status === "dry-run" ? 2 : 0 },
  users: [],
  usersTruncated: false,
  limitations: [],
  rolesAssignedAt: null,
  createdBy: "admin@contoso.com",
  createdAt: "2026-12-03T07:00:00.000Z",
  appliedAt: null,
  appliedBy: null,
  rollbackUntil: null,
  rolledBackAt: null,
  rolledBackBy: null,
});

const doneJob: Job = {
  id: "j1",
  profileId: "p1",
  kind: "migrate-dry-run",
  state: "done",
  progress: {
    total: 2,
    done: 2,
    ok: 2,
    failed: 0,
    failuresByCode: {},
    throttled: 0,
    waitingOnExchangeSince: null,
  },
  reason: null,
  createdBy: "admin@contoso.com",
  createdAt: "2026-12-03T07:00:00.000Z",
  startedAt: "2026-12-03T07:00:00.000Z",
  finishedAt: "2026-12-03T07:00:01.000Z",
  updatedAt: "2026-12-03T07:00:01.000Z",
  resumesBy: null,
};

const access = { type: "ews-app-only" } as MailboxAccessView;

describe("MoveToGraphCard", () => {
  it("re-reads the move when its dry run had already ended at the first read, so Apply becomes enabled", async () => {
    let reads = 0;
    fakeApi({
      // The move was read while its job ran; by the time the card reads the job it has ended.
      "GET /api/v1/profiles/p1/migrations/latest": () => ({
        status: 200,
        body: { data: migration(reads++ === 0 ? "dry-run" : "ready") },
      }),
      "GET /api/v1/jobs/j1": { status: 200, body: { data: doneJob } },
    });
    render(
      <Providers>
        <MoveToGraphCard profileId="p1" access={access} ewsEndsOn={null} />
      </Providers>,
    );
    const apply = await screen.findByRole("button", { name: "Apply…" }, { timeout: 10_000 });
    expect(apply).toHaveProperty("disabled", true);
    await waitFor(
      () => expect(screen.getByRole("button", { name: "Apply…" })).toHaveProperty("disabled", false),
      { timeout: 10_000 },
    );
    expect(reads).toBeGreaterThanOrEqual(2);
  });
});
