/**
 * Fuzzing every JSON route of contract/endpoints.ts through real HTTP as a platform admin: inputs come
 * from each route's zod body/query schema (valid-shaped values, then mutated: wrong types, huge strings,
 * unicode, deep nesting, `__proto__`/`constructor` keys, duplicate keys in the raw JSON text, numbers out
 * of range, hostile path parameters). Properties: never a 5xx; a 4xx is an `{error: {id, message}}`
 * body; after a 4xx every table holds exactly the rows it held before (no partial writes).
 * 30 runs per route by default; `LONG_TESTS=1` (set by .ci/run) runs 80. One test file per database
 * (endpoints-sqlite.fuzz.test.ts; PostgreSQL's in two halves, endpoints-postgres{,-2}.fuzz.test.ts), so
 * they run in parallel.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoints, type Endpoint } from "../../contract/endpoints";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../../server/ews-simulator";
import { mailboxAddresses } from "../../server/jobs/testing/factories";
import { ApiClient, startTestServer, type DialectName, type TestServer } from "../helpers/server";
import { jsonSchemaOf, type Hints } from "./json-schema-arbitrary";
import { bodyInputs, pathParamInputs, queryInputs, type FuzzInput } from "./mutations";
import { changedTables, storeSnapshot } from "./store-digest";

const RUNS = process.env.LONG_TESTS === "1" ? 80 : 30;

/** Routes that end the fuzzer's own session or are not JSON (pages, redirects, downloads, streams). */
const SKIPPED = new Set([
  "post /auth/logout",
  "delete /auth/sessions",
  "get /oauth/go/:token",
  "get /oauth/callback",
  "get /oauth/popup.js",
  "get /jobs/:id/events",
  "get /app-package",
]);

/**
 * Routes that reach another server (webhook, Exchange): a 502/503/504 with a named error is their
 * honest answer when that server fails; a 500 is still a bug.
 */
const UPSTREAM = new Set([
  "post /settings/alerts/test",
  "post /autodiscover",
  "post /profiles/:id/connectivity-tests",
  "post /profiles/:id/checks",
  "post /sync/mailboxes/:address/ews",
]);

/** JSON routes that take input: a body or query schema, a path parameter, or any state-changing method. */
export const fuzzTargets: Endpoint[] = endpoints.filter(
  (e) =>
    !SKIPPED.has(`${e.method} ${e.path}`) &&
    e.method !== "delete" &&
    (e.body || e.query || e.path.includes(":") || e.method !== "get"),
);

/** Counterexamples carry 300 kB strings: print them shortened. */
function printable(input: FuzzInput): FuzzInput {
  const short = (v: string | undefined) =>
    v === undefined ? undefined : v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v;
  return Object.assign(input, {
    [fc.toStringMethod]: () =>
      JSON.stringify({ ...input, body: short(input.body), query: short(input.query) }),
  });
}

/** The server's last "unhandled error" log line (the cause of a 500). */
function lastServerError(s: TestServer): string {
  return (
    s.logs
      .filter((l) => l.includes("unhandled error"))
      .at(-1)
      ?.slice(0, 1500) ?? "(no unhandled error logged)"
  );
}

/** Declares the fuzz suite on one database (called by one test file per database). */
/**
 * `shard`: `[k, n]` fuzzes every n-th route from the k-th, so one database's routes can be split over
 * several files that run in parallel (PostgreSQL's store digest after every request is the slow part).
 */
export function fuzzEveryRoute(dialect: DialectName, shard: [number, number] = [0, 1]): void {
  const [k, n] = shard;
  const targets = fuzzTargets.filter((_, i) => i % n === k);
  describe(`fuzzing every JSON route on ${dialect}${n > 1 ? ` (part ${k + 1} of ${n})` : ""}`, () => {
    let s: TestServer;
    let sim: ExchangeSimulator;
    let serviceClient: ApiClient;
    const ids = {
      profile: "",
      otherProfile: "",
      user: "",
      job: "",
      users: [] as string[],
      addresses: [] as string[],
    };

    beforeAll(async () => {
      const tenant = demoTenant({ users: 30, rooms: 2 });
      sim = await startExchangeSimulator({ tenant });
      // No runner and no monitor: nothing may write to the store between a request and its digest.
      s = await startTestServer({
        dialect,
        env: {
          JOBS_RUNNER: "off",
          MONITOR_INTERVAL_MINUTES: "0",
          EWS_ALLOWED_HOSTS: "127.0.0.1",
          LOG_LEVEL: "warn",
        },
      });
      ids.profile = (await s.admin.post("/profiles", { name: "Fuzz A" })).body.data.id;
      ids.otherProfile = (await s.admin.post("/profiles", { name: "Fuzz B" })).body.data.id;
      ids.addresses = mailboxAddresses(tenant, 20);
      expect(
        (await s.admin.post(`/profiles/${ids.profile}/users`, { text: ids.addresses.join("\n") })).status,
      ).toBe(200);
      ids.users = (await s.admin.get(`/profiles/${ids.profile}/users`)).body.data.map(
        (u: { id: string }) => u.id,
      );
      ids.user = ids.users[0]!;
      const access = await s.admin.put(`/profiles/${ids.profile}/mailbox-access`, {
        type: "ews-basic-impersonation",
        accountLogon: DEMO.serviceAccount.logon,
        password: DEMO.serviceAccount.password,
        ewsUrl: sim.ewsUrl,
      });
      expect(access.status).toBe(200);
      const job = await s.admin.post(`/profiles/${ids.otherProfile}/jobs`, { kind: "recheck-profile" });
      ids.job = job.body?.data?.id ?? "00000000-0000-4000-8000-000000000000";
      const key = await s.admin.post("/service-keys", {
        name: "fuzz",
        scopes: ["roster:read", "ews:proxy", "reports:write", "graph:read", "graph:write"],
      });
      expect(key.status).toBe(201);
      serviceClient = new ApiClient(s.url, { authorization: `Bearer ${key.body.data.key}` });
    }, 60_000);

    afterAll(async () => {
      await s?.close();
      await sim?.close();
    });

    const hints = (): Hints => ({
      profileId: fc.constantFrom(
        ids.profile,
        ids.otherProfile,
        "00000000-0000-4000-8000-000000000000",
        "not-a-uuid",
      ),
      userId: fc.oneof(fc.constantFrom(...ids.users), fc.uuid()),
      email: fc.oneof(fc.constantFrom(...ids.addresses), fc.emailAddress()),
      targetUser: fc.constantFrom(...ids.addresses, "nobody@contoso.com"),
      outOfScopeUser: fc.constantFrom(...ids.addresses, "nobody@contoso.com"),
      ewsUrl: fc.constantFrom(
        sim.ewsUrl,
        "https://outlook.office365.com/EWS/Exchange.asmx",
        "http://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/EWS/Exchange.asmx",
        "file:///etc/passwd",
      ),
    });

    /** The path with its parameters filled by real ids (or the fuzzed parameter). */
    function pathOf(e: Endpoint, input: FuzzInput): string {
      let first = true;
      return e.path.replace(/:(\w+)/g, (_m, name: string) => {
        if (first && input.pathParam !== undefined) {
          first = false;
          return input.pathParam;
        }
        first = false;
        if (name === "address") return encodeURIComponent(ids.addresses[0]);
        if (e.path.startsWith("/jobs")) return ids.job;
        if (e.path.startsWith("/users")) return ids.user;
        return ids.profile;
      });
    }

    for (const e of targets) {
      it(`${e.method.toUpperCase()} ${e.path}: no 5xx, and a refused request changes nothing`, async () => {
        const h = hints();
        const variants: fc.Arbitrary<FuzzInput>[] = [];
        if (e.body || e.method !== "get") {
          variants.push(bodyInputs(e.body ? jsonSchemaOf(e.body) : undefined, h));
        }
        if (e.query) variants.push(queryInputs(jsonSchemaOf(e.query), h));
        if (e.path.includes(":")) variants.push(pathParamInputs);
        const client = e.auth === "service-key" ? serviceClient : s.admin;
        const statuses: Record<number, number> = {};
        await fc.assert(
          fc.asyncProperty(fc.oneof(...variants).map(printable), async (input) => {
            const before = await storeSnapshot(s.ctx.store);
            const url = `${s.url}/api/v1${pathOf(e, input)}${input.query !== undefined ? `?${input.query}` : ""}`;
            const res = await client.request(e.method.toUpperCase(), url, input.body);
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            const what = `${input.mutation}: ${e.method.toUpperCase()} ${url.slice(0, 300)} ${String(input.body).slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`;
            const upstreamFailure =
              UPSTREAM.has(`${e.method} ${e.path}`) &&
              [502, 503, 504].includes(res.status) &&
              res.body?.error?.id !== "internal_error";
            if (!upstreamFailure) expect(res.status, `${what}\n${lastServerError(s)}`).toBeLessThan(500);
            // Node's HTTP parser answers 431 (headers too large) before the app sees the request.
            if (res.status >= 400 && res.status !== 431) {
              // The Graph gateway answers in Graph's own error shape ({error: {code, message}}), so the
              // official SDK reads its refusals; every other route in the API's ({error: {id, message}}).
              const graphShaped = e.path.startsWith("/sync/graph/");
              expect(typeof res.body?.error?.[graphShaped ? "code" : "id"], what).toBe("string");
              expect(typeof res.body?.error?.message, what).toBe("string");
              const after = await storeSnapshot(s.ctx.store);
              expect(changedTables(before, after), what).toEqual([]);
            }
            // Prototype pollution would show on every object of the process.
            expect(({} as Record<string, unknown>).polluted, what).toBeUndefined();
          }),
          { numRuns: RUNS, endOnFailure: true },
        );
        // Nothing here is valid-only or refusal-only by accident: print what the route answered.
        console.log(`${dialect} ${e.method.toUpperCase()} ${e.path}: ${JSON.stringify(statuses)}`);
      }, 120_000);
    }
  });
}
