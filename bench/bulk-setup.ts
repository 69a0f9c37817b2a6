/**
 * What the bulk benchmarks share: a profile of simulated users imported through the API, and a job
 * followed over its event stream as the panel follows it.
 */
import { DEMO, type ExchangeSimulator } from "../server/ews-simulator";
import { mailboxAddresses } from "../server/jobs/testing/factories";
import { ApiClient } from "../test/helpers/server";
import { BENCH_ADMIN } from "./server-process";

export interface BenchJob {
  id: string;
  state: string;
  progress: { total: number; done: number; ok: number; failed: number; failuresByCode: Record<string, number> };
}

/** Signs the bench admin in to the server at `url`. */
export async function benchAdmin(url: string): Promise<ApiClient> {
  const admin = new ApiClient(url);
  await admin.signIn(BENCH_ADMIN.email, BENCH_ADMIN.password);
  return admin;
}

/** Creates a profile on the simulator's service account and imports `users` of its mailboxes (as one paste). */
export async function bulkProfile(admin: ApiClient, sim: ExchangeSimulator, users: number): Promise<string> {
  const profileId = (await admin.post("/profiles", { name: "Bench" })).body.data.id as string;
  const access = await admin.put(`/profiles/${profileId}/mailbox-access`, { type: "ews-basic-impersonation", accountLogon: DEMO.serviceAccount.logon, password: DEMO.serviceAccount.password, ewsUrl: sim.ewsUrl });
  if (access.status !== 200) throw new Error(`mailbox access: ${access.status} ${access.text}`);
  const added = await admin.post(`/profiles/${profileId}/users`, { text: mailboxAddresses(sim.tenant, users).join("\n") });
  if (added.body.data?.added !== users) throw new Error(`import: ${added.status} ${added.text.slice(0, 300)}`);
  return profileId;
}

/**
 * Follows the job's event stream with fetch (as the panel does) until "done", or until `enough` says so
 * of a "progress" event; returns that job.
 */
export async function followJob(client: ApiClient, jobId: string, enough?: (job: BenchJob) => boolean): Promise<BenchJob> {
  const res = await fetch(`${client.baseUrl}/api/v1/jobs/${jobId}/events`, { headers: { cookie: client.cookie } });
  if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const [event, data] = buffer.slice(0, end).split("\n");
      buffer = buffer.slice(end + 2);
      if (event === "event: done") return JSON.parse(data.slice(6)) as BenchJob;
      if (event === "event: progress" && enough) {
        const job = JSON.parse(data.slice(6)) as BenchJob;
        if (enough(job)) return job; // leaving the loop cancels the stream
      }
    }
  }
  throw new Error("event stream ended without done");
}
