/** Shared steps of the fault tests: a profile of simulated users, a job through the API, its results. */
import { expect } from "vitest";
import { DEMO, type ExchangeSimulator } from "../../server/ews-simulator";
import { resultsPerUser } from "../factories/checks";
import type { StoreHolder } from "../factories/store";
import { userRows } from "../factories/users";
import type { ApiClient } from "../helpers/server";

/** A profile with basic impersonation against the simulator and `addresses` as its users. */
export async function profileWithUsers(
  admin: ApiClient,
  sim: ExchangeSimulator,
  addresses: string[],
  name = "Faults",
): Promise<string> {
  const profileId = (await admin.post("/profiles", { name })).body.data.id as string;
  const access = await admin.put(`/profiles/${profileId}/mailbox-access`, {
    type: "ews-basic-impersonation",
    accountLogon: DEMO.serviceAccount.logon,
    password: DEMO.serviceAccount.password,
    ewsUrl: sim.ewsUrl,
  });
  expect(access.status, access.text).toBe(200);
  const added = await admin.post(`/profiles/${profileId}/users`, { text: addresses.join("\n") });
  expect(added.body.data?.added, added.text.slice(0, 300)).toBe(addresses.length);
  return profileId;
}

export interface JobView {
  id: string;
  state: string;
  progress: {
    total: number;
    done: number;
    ok: number;
    failed: number;
    failuresByCode: Record<string, number>;
  };
}

/** Polls GET /jobs/:id until `until` holds (tolerating refused or failed requests while faults are on). */
export async function waitForJob(
  admin: ApiClient,
  jobId: string,
  until: (job: JobView) => boolean,
  timeoutMs: number,
): Promise<JobView> {
  const end = Date.now() + timeoutMs;
  let last: JobView | undefined;
  while (Date.now() < end) {
    try {
      const res = await admin.get(`/jobs/${jobId}`);
      if (res.status === 200) {
        last = res.body.data as JobView;
        if (until(last)) return last;
      }
    } catch {
      // the server may answer badly while its database connections are being killed
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} did not get there in ${timeoutMs} ms; last seen ${JSON.stringify(last)}`);
}

/** Every user of the job has exactly one result (check history row) and a final state. */
export async function expectExactlyOneResultEach(
  store: StoreHolder,
  jobId: string,
  users: number,
): Promise<void> {
  const results = await resultsPerUser(store, jobId);
  expect(results).toHaveLength(users);
  expect(results.filter((r) => Number(r.n) !== 1)).toEqual([]);
  const unfinished = (await userRows(store, { stateNotIn: ["active", "error"] })).map(
    ({ address, state }) => ({
      address,
      state,
    }),
  );
  expect(unfinished).toEqual([]);
}
