/**
 * What the bulk benchmarks share: a profile of simulated users imported through the API, and a job
 * followed over its event stream as the panel follows it.
 */
import { DEMO, type ExchangeSimulator } from "../server/ews-simulator";
import { mailboxAddresses } from "../server/jobs/testing/factories";
import { jobEvents } from "../test/helpers/job-events";
import { ApiClient } from "../test/helpers/server";
import { BENCH_ADMIN } from "./server-process";

export interface BenchJob {
  id: string;
  state: string;
  progress: {
    total: number;
    done: number;
    ok: number;
    failed: number;
    failuresByCode: Record<string, number>;
  };
  resumesBy: string | null;
}

/** Signs the bench admin in to the server at `url`. */
export async function benchAdmin(url: string): Promise<ApiClient> {
  const admin = new ApiClient(url);
  await admin.signIn(BENCH_ADMIN.email, BENCH_ADMIN.password);
  return admin;
}

/**
 * Creates a profile on the simulator's service account and imports `users` of its mailboxes (as one
 * paste), from the `skip`-th on (an address belongs to one profile: a second profile takes others).
 */
export async function bulkProfile(
  admin: ApiClient,
  sim: ExchangeSimulator,
  users: number,
  { name = "Bench", skip = 0 } = {},
): Promise<string> {
  const profileId = (await admin.post("/profiles", { name })).body.data.id as string;
  const access = await admin.put(`/profiles/${profileId}/mailbox-access`, {
    type: "ews-basic-impersonation",
    accountLogon: DEMO.serviceAccount.logon,
    password: DEMO.serviceAccount.password,
    ewsUrl: sim.ewsUrl,
  });
  if (access.status !== 200) throw new Error(`mailbox access: ${access.status} ${access.text}`);
  const added = await admin.post(`/profiles/${profileId}/users`, {
    text: mailboxAddresses(sim.tenant, skip + users)
      .slice(skip)
      .join("\n"),
  });
  if (added.body.data?.added !== users) {
    throw new Error(`import: ${added.status} ${added.text.slice(0, 300)}`);
  }
  return profileId;
}

/**
 * Follows the job's event stream (as the panel does) until "done", or until `enough` says so of a
 * "progress" event; returns that job.
 */
export async function followJob(
  client: ApiClient,
  jobId: string,
  enough?: (job: BenchJob) => boolean,
): Promise<BenchJob> {
  for await (const { event, job } of jobEvents<BenchJob>(client, jobId)) {
    if (event === "done" || (event === "progress" && enough?.(job))) return job;
  }
  throw new Error("the event stream ended without done");
}
