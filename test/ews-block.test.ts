import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tenant } from "../server/ews-simulator/tenant";
import { announcePostgresSkip, startTestServer, type TestServer } from "./helpers/server";
import {
  APPS,
  IN_SCOPE,
  OUT_OF_SCOPE,
  startAppOnlyStack,
  TEST_TENANT_ID,
  type AppOnlyStack,
} from "./app-only-helpers";
import { finishedJob } from "./helpers/job-events";

announcePostgresSkip();

type Step = { name: string; status: string; code?: string; detail: string; remediation?: string };

/** EWS app-only when the tenant keeps EWS from the app: 403 for every mailbox while the token is valid. */
describe("Suspected EWS block (ews-app-only)", () => {
  let stack: AppOnlyStack;
  let s: TestServer;
  let profileId: string;
  let tenant: Tenant;
  const connectivity = async (body: Record<string, unknown> = {}) => {
    const r = await s.admin.post(`/profiles/${profileId}/connectivity-tests`, {
      targetUser: IN_SCOPE[0],
      outOfScopeUser: OUT_OF_SCOPE[0],
      ...body,
    });
    expect(r.status, r.text).toBe(200);
    return r.body.data.steps as Step[];
  };
  const blockStep = (steps: Step[]) => steps.find((x) => x.name === "Exchange (EWS) allowed for the app");

  beforeAll(async () => {
    stack = await startAppOnlyStack();
    tenant = stack.sim.tenant;
    s = await startTestServer({ env: stack.env });
    profileId = (await s.admin.post("/profiles", { name: "EWS blocked" })).body.data.id;
    await s.admin.post(`/profiles/${profileId}/users`, { text: IN_SCOPE.join("\n") });
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-app-only",
      tenantId: TEST_TENANT_ID,
      clientId: APPS.scopedSecret.clientId,
      clientSecret: APPS.scopedSecret.secret,
      ewsUrl: stack.sim.ewsUrl,
    });
    expect(put.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await stack?.close();
  });

  it("passes without a block, with no block step", async () => {
    const steps = await connectivity();
    expect(steps.every((x) => x.status === "passed")).toBe(true);
    expect(blockStep(steps)).toBeUndefined();
  });

  it("says 'suspected EWS block' with the Get-OrganizationConfig check when every mailbox answers 403", async () => {
    stack.sim.setTenant({ ...tenant, server: { ...tenant.server, ewsAllowedAppIds: ["someone-else"] } });
    const steps = await connectivity();
    const block = blockStep(steps);
    expect(block, JSON.stringify(steps, null, 1)).toMatchObject({
      status: "failed",
      code: "EwsBlockSuspected",
    });
    expect(block!.detail).toMatch(/Suspected EWS block: every mailbox tried/);
    expect(block!.remediation).toContain("Get-OrganizationConfig | fl EwsEnabled,EwsAllowedAppIDs");
    expect(block!.remediation).toContain(
      "Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs $allowed",
    );
    expect(block!.remediation).not.toContain("EnforceAllowList");
    const read = steps.find((x) => x.name.startsWith("Read "))!;
    expect(read).toMatchObject({ status: "failed", code: "EwsBlockSuspected" });

    // EwsEnabled $false blocks the same way.
    stack.sim.setTenant({ ...tenant, server: { ...tenant.server, ewsEnabled: false } });
    expect(blockStep(await connectivity())).toMatchObject({ status: "failed", code: "EwsBlockSuspected" });
  });

  it("reads 'may still be applying; try again at HH:MM' when the admin just changed the allow list", async () => {
    stack.sim.setTenant({ ...tenant, server: { ...tenant.server, ewsAllowedAppIds: [] } });
    const changedAt = new Date(Date.now() - 60_000);
    const steps = await connectivity({ changedAt: changedAt.toISOString() });
    const block = blockStep(steps)!;
    expect(block.status).toBe("warning");
    const until = new Date(changedAt.getTime() + 24 * 3_600_000).toISOString().slice(11, 16);
    expect(block.detail).toContain(`try again at ${until} UTC`);
    // A change long ago is no excuse any more.
    const old = await connectivity({ changedAt: new Date(Date.now() - 25 * 3_600_000).toISOString() });
    expect(blockStep(old)?.status).toBe("failed");
  });

  it("reads 'may still be applying' for a role refusal within 2 hours of the change, else fails", async () => {
    stack.sim.setTenant(tenant);
    const recent = await connectivity({ targetUser: OUT_OF_SCOPE[1], changedAt: new Date().toISOString() });
    const read = recent.find((x) => x.name.startsWith("Read "))!;
    expect(read.status).toBe("warning");
    expect(read.detail).toMatch(/^May still be applying: role assignments take up to 2 hours/);
    const later = await connectivity({
      targetUser: OUT_OF_SCOPE[1],
      changedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    });
    expect(later.find((x) => x.name.startsWith("Read "))!.status).toBe("failed");
    expect(blockStep(later)).toBeUndefined();
  });

  it("a bulk check stops on the suspected block with one reason", async () => {
    stack.sim.setTenant({ ...tenant, server: { ...tenant.server, ewsEnabled: false } });
    const job = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    const data = await finishedJob(s.admin, job.body.data.id);
    expect(data.state).toBe("failed");
    expect(data.reason).toMatch(/suspected EWS block/);
    expect(data.reason).toContain("Get-OrganizationConfig | fl EwsEnabled,EwsAllowedAppIDs");
  });
});
