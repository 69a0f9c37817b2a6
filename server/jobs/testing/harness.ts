import { freshSchema, type DialectName } from "../../../test/helpers/server";
import { SYSTEM } from "../../auth/principal";
import type { Clock } from "../../domain/clock";
import { startExchangeSimulator, demoTenant, DEMO, type ExchangeSimulator } from "../../ews-simulator";
import { createLogger } from "../../logger";
import { JobService } from "../../services/jobs";
import { ProfileService } from "../../services/profiles";
import { openStore, type Store } from "../../store/db";
import { storeAccess } from "../../store/unit-of-work";
import { JobRepository, type JobRow } from "../../store/job-repo";
import { JobRunner, type RunnerOptions } from "../runner";
import { buildProfile, buildUsers, mailboxAddresses } from "./factories";
import { soapCheckPort } from "./soap-check-port";

/** A store, a simulator, a profile with users and a job service: what every runner test starts from. */
export interface JobHarness {
  store: Store;
  sim: ExchangeSimulator;
  jobs: JobService;
  profileId: string;
  userIds: string[];
  addresses: string[];
  runner(options?: Partial<RunnerOptions>): JobRunner;
  waitFor(jobId: string, states: string[], timeoutMs?: number): Promise<JobRow>;
  close(): Promise<void>;
}

/** Opens a store on the dialect (PostgreSQL in a fresh schema), starts the simulator and seeds `users` users. */
export async function startJobHarness(opts: {
  dialect: DialectName;
  users: number;
  tenantUsers?: number;
  latencyMs?: number;
  pgSchema?: string;
  sqliteFile?: string;
  /** What the job service presents jobs by (the real clock by default; runners keep the real clock). */
  clock?: Clock;
}): Promise<JobHarness> {
  const schema =
    opts.dialect === "postgres"
      ? opts.pgSchema
        ? { schema: opts.pgSchema, drop: async () => {} }
        : freshSchema()
      : undefined;
  const store = await openStore(
    opts.dialect === "postgres"
      ? { databaseUrl: process.env.TEST_DATABASE_URL, pgSchema: schema!.schema, poolSize: 10 }
      : { sqliteFile: opts.sqliteFile ?? ":memory:" },
  );
  const tenant = demoTenant({ users: (opts.tenantUsers ?? opts.users) + 10, rooms: 0 });
  const sim = await startExchangeSimulator({ tenant, latencyMs: opts.latencyMs ?? 1, maxRecordedCalls: 0 });
  const addresses = mailboxAddresses(tenant, opts.users);
  const profileId = await buildProfile(store.db);
  const userIds = await buildUsers(store.db, profileId, addresses);
  const services = storeAccess(store.db, { clock: opts.clock });
  const jobs = new JobService(services, new ProfileService(services), opts.clock);
  const port = soapCheckPort(sim.ewsUrl, {
    logon: DEMO.serviceAccount.logon,
    password: DEMO.serviceAccount.password,
  });
  const runners: JobRunner[] = [];
  const log = createLogger("silent");
  return {
    store,
    sim,
    jobs,
    profileId,
    userIds,
    addresses,
    runner(options = {}) {
      const r = new JobRunner({
        store: storeAccess(store.db),
        checks: port,
        log,
        maxConcurrency: 50,
        leaseMs: 3_000,
        pollMs: 50,
        tickMs: 100,
        retryBaseMs: 10,
        retryMaxMs: 100,
        ...options,
      });
      runners.push(r);
      return r.start();
    },
    async waitFor(jobId, states, timeoutMs = 80_000) {
      const repo = new JobRepository(store.db);
      const until = Date.now() + timeoutMs;
      for (;;) {
        const row = await repo.find(jobId);
        if (row && states.includes(row.state)) return row;
        if (Date.now() > until) {
          throw new Error(
            `job ${jobId} still ${row?.state} (${row?.done}/${row?.total}) after ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      for (const r of runners) await r.close();
      await sim.close();
      await store.close();
      await schema?.drop();
    },
  };
}

export { SYSTEM };
