import { Client, GraphError, PageIterator, ResponseType } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPS, IN_SCOPE, startAppOnlyStack, TEST_TENANT_ID, type AppOnlyStack } from "./app-only-helpers";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "./helpers/server";
import { httpsServerEnv } from "./helpers/tls";
import { finishedJob } from "./helpers/job-events";
import { realDelay } from "./helpers/real-delay";

announcePostgresSkip();

const [ADELE, ALEX, JANE] = IN_SCOPE;
const OTHER = "alex.wilber@contoso.com";

/** Every answer the SDK got from the gateway: links and bodies are checked at the end. */
const answers: { url: string; status: number; location: string | null; body: string }[] = [];
const realFetch = globalThis.fetch;

async function failure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe.each(testDatabases())("Graph gateway with the Graph SDK on %s", (dialect) => {
  let stack: AppOnlyStack;
  let s: TestServer;
  let baseUrl = "";
  let gateway = "";
  let readKey = "";
  let writeKey = "";
  let profileId = "";
  let otherProfileId = "";

  const sdk = (key: string) =>
    Client.init({
      authProvider: (done) => done(null, key),
      baseUrl: gateway,
      customHosts: new Set([new URL(baseUrl).hostname]),
      defaultVersion: "v1.0",
    });
  const raw = (key: string, path: string, init: RequestInit = {}) =>
    realFetch(`${gateway}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
    });
  const graphProfile = async (name: string, users: string[]) => {
    const id = (await s.admin.post("/profiles", { name })).body.data.id as string;
    await s.admin.post(`/profiles/${id}/users`, { text: users.join("\n") });
    const put = await s.admin.put(`/profiles/${id}/mailbox-access`, {
      type: "graph-app-only",
      tenantId: TEST_TENANT_ID,
      clientId: APPS.scopedSecret.clientId,
      clientSecret: APPS.scopedSecret.secret,
    });
    expect(put.status).toBe(200);
    const job = await s.admin.post(`/profiles/${id}/jobs`, { kind: "activate-profile" });
    expect((await finishedJob(s.admin, job.body.data.id as string, 30_000)).state).toBe("done");
    return id;
  };
  const key = async (scopes: string[], profile: string) =>
    (await s.admin.post("/service-keys", { name: `key ${scopes.join(" ")}`, scopes, profileId: profile }))
      .body.data.key as string;
  const simCallsFor = (address: string) => stack.sim.graph.counters.byTarget[address] ?? 0;

  beforeAll(async () => {
    answers.length = 0;
    const tls = await httpsServerEnv();
    if (!tls) throw new Error("the global setup's test certificate is missing (test/global-setup.ts)");
    stack = await startAppOnlyStack();
    s = await startTestServer({ dialect, env: { ...stack.env, ...tls } });
    baseUrl = tls.BASE_URL;
    gateway = `${baseUrl}/api/v1/sync/graph`;
    profileId = await graphProfile(`Graph ${dialect}`, [ADELE, ALEX, JANE]);
    otherProfileId = await graphProfile(`Graph other ${dialect}`, [OTHER]);
    readKey = await key(["graph:read", "roster:read"], profileId);
    writeKey = await key(["graph:read", "graph:write"], profileId);
    globalThis.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith(gateway)) {
        answers.push({
          url,
          status: res.status,
          location: res.headers.get("location"),
          body: await res.clone().text(),
        });
      }
      return res;
    };
  }, 120_000);
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await s?.close();
    await stack?.close();
  });

  it("lists the Inbox page by page with the SDK's PageIterator, through links that point at the gateway", async () => {
    stack.sim.graph.addItems(ADELE, { messages: 25 });
    const client = sdk(readKey);
    const first = (await client
      .api(`/users/${ADELE}/mailFolders('inbox')/messages`)
      .top(10)
      .select("id,subject,receivedDateTime")
      .get()) as { value: { id: string }[]; "@odata.nextLink"?: string };
    expect(first.value).toHaveLength(10);
    expect(first["@odata.nextLink"]).toMatch(new RegExp(`^${gateway.replace(/\./g, "\\.")}/v1\\.0/users/`));
    const ids: string[] = [];
    const pages = new PageIterator(client, first, (m: { id: string }) => {
      ids.push(m.id);
      return true;
    });
    await pages.iterate();
    expect(ids).toHaveLength(28);
    expect(new Set(ids).size).toBe(28);
  });

  it("runs a delta round: the initial sync in pages, then only what the simulator added since", async () => {
    const client = sdk(readKey);
    const round = async (start: string) => {
      const items: { id: string; subject?: string }[] = [];
      let page = (await client.api(start).header("Prefer", "odata.maxpagesize=2").get()) as {
        value: { id: string }[];
        "@odata.nextLink"?: string;
        "@odata.deltaLink"?: string;
      };
      for (;;) {
        items.push(...page.value);
        if (!page["@odata.nextLink"]) break;
        expect(page["@odata.nextLink"].startsWith(`${gateway}/`)).toBe(true);
        page = (await client
          .api(page["@odata.nextLink"])
          .header("Prefer", "odata.maxpagesize=2")
          .get()) as typeof page;
      }
      expect(page["@odata.deltaLink"]?.startsWith(`${gateway}/v1.0/users/`)).toBe(true);
      return { items, deltaLink: page["@odata.deltaLink"]! };
    };
    const initial = await round(
      `/users/${JANE}/mailFolders/inbox/messages/delta?$select=subject,receivedDateTime`,
    );
    expect(initial.items).toHaveLength(3);
    const added = stack.sim.graph.addItems(JANE, { messages: 3 });
    const next = await round(initial.deltaLink);
    expect(next.items.map((m) => m.id)).toEqual(added);
    expect(next.items[0]).toHaveProperty("subject");
    const calendar = await round(
      `/users/${JANE}/calendarView/delta?startDateTime=2026-01-01T00:00:00Z&endDateTime=2027-12-31T00:00:00Z`,
    );
    expect(calendar.items).toHaveLength(2);
    // Exchange dropped its sync state: the SDK sees Graph's 410, and the caller starts over.
    stack.sim.graph.expireDeltaTokens();
    const gone = await failure(client.api(next.deltaLink).get());
    expect([gone.statusCode, gone.code]).toEqual([410, "SyncStateNotFound"]);
  });

  it("forwards $batch with sub-request URLs with or without the gateway prefix, each checked alone", async () => {
    const client = sdk(readKey);
    const answer = (await client.api("/$batch").post({
      requests: [
        { id: "1", method: "GET", url: `/users/${ADELE}/mailFolders/inbox` },
        { id: "2", method: "GET", url: `/api/v1/sync/graph/v1.0/users/${JANE}/calendar` },
        { id: "3", method: "GET", url: `users/${ADELE}/messages?$top=2` },
        { id: "4", method: "GET", url: `${gateway}/v1.0/users/${ALEX}/mailboxSettings` },
      ],
    })) as { responses: { id: string; status: number; body: Record<string, unknown> }[] };
    const byId = new Map(answer.responses.map((r) => [r.id, r]));
    expect([1, 2, 3, 4].map((i) => byId.get(String(i))?.status)).toEqual([200, 200, 200, 200]);
    expect(byId.get("1")?.body.displayName).toBe("Inbox");
    expect(String(byId.get("3")?.body["@odata.nextLink"])).toMatch(
      new RegExp(`^${gateway.replace(/\./g, "\\.")}/`),
    );

    // Graph answers each sub-request alone: a refused one answers 403 in the batch, its dependant 424,
    // and the others are sent.
    const before = stack.sim.graph.counters.requests;
    const mixed = (await client.api("/$batch").post({
      requests: [
        { id: "1", method: "GET", url: `/users/${ADELE}/messages` },
        { id: "2", method: "GET", url: "/users" },
        { id: "3", method: "GET", url: `/users/${OTHER}/messages` },
        { id: "4", method: "GET", url: `/users/${ADELE}/calendar`, dependsOn: ["2"] },
      ],
    })) as {
      responses: { id: string; status: number; body: { error?: { code: string; message: string } } }[];
    };
    const mixedById = new Map(mixed.responses.map((r) => [r.id, r]));
    expect(["1", "2", "3", "4"].map((id) => mixedById.get(id)?.status)).toEqual([200, 403, 403, 424]);
    expect(mixedById.get("2")?.body.error?.code).toBe("PathNotAllowed");
    expect(mixedById.get("2")?.body.error?.message).toContain("Batch request 2");
    expect(mixedById.get("3")?.body.error?.code).toBe("MailboxNotAllowed");
    expect(mixedById.get("4")?.body.error?.code).toBe("FailedDependency");
    expect(stack.sim.graph.counters.requests - before).toBe(1);
    // Nothing left to send: the gateway answers the batch itself, without calling Graph.
    const none = (await client.api("/$batch").post({
      requests: [{ id: "a", method: "GET", url: "/users" }],
    })) as { responses: { id: string; status: number }[] };
    expect(none.responses).toEqual([expect.objectContaining({ id: "a", status: 403 })]);
    expect(stack.sim.graph.counters.requests - before).toBe(1);
    const tooMany = await failure(
      client.api("/$batch").post({
        requests: Array.from({ length: 21 }, (_, i) => ({
          id: String(i),
          method: "GET",
          url: `/users/${ADELE}/calendar`,
        })),
      }),
    );
    expect(tooMany.statusCode).toBe(400);
    expect(stack.sim.graph.counters.requests - before).toBe(1);
  });

  it("refuses a mailbox outside the key's profile and one not enrolled, in Graph's error shape, without calling Graph", async () => {
    const client = sdk(readKey);
    const before = stack.sim.graph.counters.requests;
    const outside = await failure(client.api(`/users/${OTHER}/messages`).get());
    expect([outside.statusCode, outside.code]).toEqual([403, "MailboxNotAllowed"]);
    expect(outside.message).toContain("the profile this key is bound to");
    const unknown = await failure(client.api("/users/nobody@contoso.com/messages").get());
    expect(unknown.code).toBe("MailboxNotAllowed");
    const byObjectId = await failure(
      client.api("/users/0f6c3b1e-1a2b-4c3d-8e9f-001122334455/messages").get(),
    );
    expect([byObjectId.statusCode, byObjectId.code]).toEqual([404, "ErrorInvalidUser"]);
    const body = await (await raw(readKey, `/v1.0/users/${OTHER}/messages`)).json();
    expect(Object.keys(body.error).sort()).toEqual(["code", "message"]);
    expect(stack.sim.graph.counters.requests).toBe(before);
    expect(otherProfileId).not.toBe(profileId);
  });

  it("refuses paths outside the mailbox and the refused operations, whatever their case or form", async () => {
    const client = sdk(writeKey);
    const before = stack.sim.graph.counters.requests;
    for (const path of ["/users", "/me/messages", "/groups", `/users/${ADELE}`, "/organization"]) {
      const refused = await failure(client.api(path).get());
      expect([path, refused.statusCode, refused.code]).toEqual([path, 403, "PathNotAllowed"]);
    }
    for (const path of [
      `/users/${ADELE}/mailFolders('inbox')/messageRules`,
      `/users/${ADELE}/MAILFOLDERS/inbox/MessageRules`,
      `/users/${ADELE}/calendar/calendarPermissions`,
      `/users/${ADELE}/messages/AAMk1/attachments/createUploadSession`,
      `/users/${ADELE}/people`,
    ]) {
      const refused = await failure(client.api(path).post({}));
      expect([path, refused.code]).toEqual([path, "PathNotAllowed"]);
    }
    const settings = await failure(client.api(`/users/${ADELE}/mailboxSettings`).patch({ timeZone: "UTC" }));
    expect(settings.message).toMatch(/read-only/);
    expect(stack.sim.graph.counters.requests).toBe(before);
    // Graph's own forms pass: mailfolders in lower case and the folder's id.
    const folder = (await client.api(`/users/${ADELE}/mailfolders/inbox`).get()) as { id: string };
    expect((await client.api(`/users/${ADELE}/mailFolders/${folder.id}/childFolders`).get()).value).toEqual(
      [],
    );
  });

  it("refuses a write with a read key, and forwards it with a write key (Location pointed at the gateway)", async () => {
    const refused = await failure(sdk(readKey).api(`/users/${ADELE}/messages`).post({ subject: "Hi" }));
    expect([refused.statusCode, refused.code]).toEqual([403, "ScopeMissing"]);
    expect(refused.message).toContain("graph:write");
    const created = (await sdk(writeKey)
      .api(`/users/${ADELE}/messages`)
      .responseType(ResponseType.RAW)
      .post({ subject: "Hi from the CRM" })) as Response;
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toMatch(
      new RegExp(`^${gateway.replace(/\./g, "\\.")}/v1\\.0/users/`),
    );
    const body = (await created.json()) as { id: string; subject: string };
    expect(body.subject).toBe("Hi from the CRM");
    await sdk(writeKey).api(`/users/${ADELE}/messages/${body.id}`).delete();
  });

  it("honours Retry-After per mailbox: while held, the gateway answers 429 and Graph sees no call of that mailbox", async () => {
    stack.sim.resetCounters();
    stack.sim.graph.faults.inFlightGraceMs = 0;
    stack.sim.graph.faults.retryAfterSeconds = 2;
    stack.sim.graph.faults.throttleNext = 1;
    const throttled = await raw(readKey, `/v1.0/users/${ALEX}/calendar`);
    expect([throttled.status, throttled.headers.get("retry-after")]).toEqual([429, "2"]);
    const seen = simCallsFor(ALEX);
    const held = await raw(readKey, `/v1.0/users/${ALEX}/mailboxSettings`);
    expect(held.status).toBe(429);
    expect(Number(held.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await held.json()) as { error: { code: string } }).error.code).toBe("TooManyRequests");
    // Another mailbox of the profile is not held, in a batch too: there only the held one answers 429.
    expect((await raw(readKey, `/v1.0/users/${JANE}/calendar`)).status).toBe(200);
    const batch = (await sdk(readKey)
      .api("/$batch")
      .post({
        requests: [
          { id: "held", method: "GET", url: `/users/${ALEX}/calendar` },
          { id: "free", method: "GET", url: `/users/${JANE}/calendar` },
        ],
      })) as { responses: { id: string; status: number; headers?: Record<string, string> }[] };
    const byId = new Map(batch.responses.map((r) => [r.id, r]));
    expect([byId.get("held")?.status, byId.get("free")?.status]).toEqual([429, 200]);
    expect(Number(byId.get("held")?.headers?.["retry-after"])).toBeGreaterThanOrEqual(1);
    // The SDK's retry handler waits the Retry-After it was given, then gets through.
    const settings = (await sdk(readKey).api(`/users/${ALEX}/mailboxSettings`).get()) as { timeZone: string };
    expect(settings.timeZone).toBeTruthy();
    expect(simCallsFor(ALEX)).toBe(seen + 1);
    expect(stack.sim.graph.counters.callsDuringRetryAfter).toBe(0);
    stack.sim.graph.faults.inFlightGraceMs = 50;
  });

  it("keeps at most 4 calls per mailbox in flight: 12 at once reach Graph without a 429", async () => {
    stack.sim.resetCounters();
    stack.sim.faults.latencyMs = 30;
    try {
      const client = sdk(readKey);
      const all = await Promise.all(
        Array.from(
          { length: 12 },
          () => client.api(`/users/${ADELE}/calendar`).get() as Promise<{ name: string }>,
        ),
      );
      expect(all.every((c) => c.name === "Calendar")).toBe(true);
      expect(stack.sim.graph.counters.concurrencyRefused).toBe(0);
      // How many overlap depends on timing; that none went over 4 does not.
      expect(stack.sim.graph.counters.maxInFlightPerMailbox).toBeLessThanOrEqual(4);
    } finally {
      stack.sim.faults.latencyMs = 0;
    }
  });

  it("shows protocol and gateway URL in the roster; an access type change makes every mailbox of the profile new to updatedSince", async () => {
    const roster = await realFetch(`${baseUrl}/api/v1/sync/mailboxes`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    const rows = (
      (await roster.json()) as { data: { address: string; protocol: string; gatewayUrl: string }[] }
    ).data;
    expect(rows.find((r) => r.address === ADELE)).toMatchObject({
      protocol: "graph",
      gatewayUrl: `${gateway}/v1.0/users/${encodeURIComponent(ADELE)}`,
    });
    const anyKey = (await s.admin.post("/service-keys", { name: "roster", scopes: ["roster:read"] })).body
      .data.key as string;
    const fresh = (await s.admin.post("/profiles", { name: `Later ${dialect}` })).body.data.id as string;
    await s.admin.post(`/profiles/${fresh}/users`, { text: "later.user@contoso.com" });
    await realDelay(5, "updatedAt has millisecond resolution: let the clock move");
    const since = new Date().toISOString();
    await realDelay(5, "updatedAt has millisecond resolution: let the clock move");
    const poll = async () =>
      (
        (await (
          await realFetch(`${baseUrl}/api/v1/sync/mailboxes?updatedSince=${encodeURIComponent(since)}`, {
            headers: { authorization: `Bearer ${anyKey}` },
          })
        ).json()) as { data: { address: string; protocol: string | null }[] }
      ).data;
    expect((await poll()).map((r) => r.address)).not.toContain("later.user@contoso.com");
    await s.admin.put(`/profiles/${fresh}/mailbox-access`, {
      type: "graph-app-only",
      tenantId: TEST_TENANT_ID,
      clientId: APPS.scopedSecret.clientId,
      clientSecret: APPS.scopedSecret.secret,
    });
    expect((await poll()).find((r) => r.address === "later.user@contoso.com")?.protocol).toBe("graph");
  });

  it("leaves no link pointing outside the gateway, and neither the token nor the key in any answer or log line", () => {
    expect(answers.length).toBeGreaterThan(20);
    const simOrigin = new URL(stack.sim.url).host;
    for (const a of answers) {
      expect(a.body, a.url).not.toContain(simOrigin);
      if (a.location) expect(a.location.startsWith(`${gateway}/`)).toBe(true);
      for (const link of a.body.matchAll(/"@odata\.(?:next|delta)Link"\s*:\s*"([^"]*)"/g)) {
        expect(link[1].startsWith(`${gateway}/`), link[1]).toBe(true);
      }
      // The app-only token is a JWT ("eyJ..."): none in any answer.
      expect(a.body).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
      expect(a.body).not.toContain(readKey);
    }
    const logs = s.logs.join("");
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
    expect(logs).not.toContain(readKey.slice(4));
    expect(logs).not.toContain(writeKey.slice(4));
  });
});
