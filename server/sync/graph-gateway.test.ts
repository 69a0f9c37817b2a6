import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { BackOffGate } from "../ews/backoff";
import type { EwsEnvironment } from "../ews/client";
import type { StreamedAnswer } from "../ews/transport";
import type { MailboxAccessService, OpenedAccess } from "../services/mailbox-access";
import type { GatewayTargetRow } from "../store/gateway-repo";
import type { StoreAccess } from "../store/unit-of-work";
import { GRAPH_REWRITE_LIMIT, GraphGateway } from "./graph-gateway";
import { GraphMailboxSlots } from "./graph-slots";
import type { ServiceKeyIdentity } from "./service-keys";

const GRAPH = "https://graph.example.test";
const MAILBOX = "jane@contoso.com";
const KEY: ServiceKeyIdentity = { id: "k1", name: "sync", scopes: ["graph:read"], profileId: "p1" };

const row: GatewayTargetRow = {
  address: MAILBOX,
  state: "active",
  profileId: "p1",
  profileName: "Graph",
  syncEnabled: 1,
  maxConcurrentConnections: 4,
  accessType: "graph-app-only",
  accessSettings: "{}",
  accessSealedSecret: null,
  accessVersion: 1,
  accessUpdatedAt: null,
  accessUpdatedBy: null,
};

/** A gateway whose Graph answers with `body` (a stream the test writes) and JSON headers. */
function gatewayAnswering(body: PassThrough): { gateway: GraphGateway; slots: GraphMailboxSlots } {
  const opened = {
    type: {
      label: "Graph",
      graphEndpoint: () => Promise.resolve({ ok: true, origin: GRAPH, authorization: "Bearer t" }),
    },
    config: { profileId: "p1", settings: {}, secret: null },
    version: 1,
  } as unknown as OpenedAccess;
  const answer = {
    status: 200,
    headers: { "content-type": "application/json; odata.metadata=minimal" },
    challenges: [],
    body,
  } as unknown as StreamedAnswer;
  const slots = new GraphMailboxSlots();
  const gateway = new GraphGateway({
    store: { repos: { gateway: { findTarget: () => Promise.resolve(row) } } } as unknown as StoreAccess,
    mailboxAccess: { openRow: () => opened } as unknown as MailboxAccessService,
    ews: {
      gate: new BackOffGate(),
      transport: { stream: () => Promise.resolve(answer) },
    } as unknown as EwsEnvironment,
    slots,
    baseUrl: "https://sync.contoso.test",
  });
  return { gateway, slots };
}

const call = { method: "GET", url: `/v1.0/users/${MAILBOX}/messages`, headers: {} };

describe("GraphGateway: JSON answers read whole", () => {
  it("joins the chunks (a character split between two of them included) and rewrites the links", async () => {
    const body = new PassThrough();
    const { gateway } = gatewayAnswering(body);
    const text = JSON.stringify({
      value: [{ subject: "Grüße" }],
      "@odata.nextLink": `${GRAPH}/v1.0/users/x/messages?$skip=1`,
    });
    const bytes = Buffer.from(text, "utf8");
    const split = bytes.indexOf(Buffer.from("ü")) + 1;
    const answer = gateway.forward(KEY, call);
    setImmediate(() => {
      body.write(bytes.subarray(0, split));
      body.end(bytes.subarray(split));
    });
    expect(JSON.parse((await answer).body as string)).toEqual({
      value: [{ subject: "Grüße" }],
      "@odata.nextLink": "https://sync.contoso.test/api/v1/sync/graph/v1.0/users/x/messages?$skip=1",
    });
  });

  it("refuses an answer past GRAPH_REWRITE_LIMIT with 502 ResponseTooLarge, destroys it and frees the slot", async () => {
    const body = new PassThrough();
    const { gateway, slots } = gatewayAnswering(body);
    const answer = gateway.forward(KEY, call);
    setImmediate(() => {
      body.write(Buffer.alloc(GRAPH_REWRITE_LIMIT, 0x20));
      body.write(Buffer.from("{}"));
    });
    await expect(answer).rejects.toMatchObject({ status: 502, id: "ResponseTooLarge" });
    expect(body.destroyed).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(slots.inFlight("p1", MAILBOX)).toBe(0);
  });

  it("fails with the stream's error when Graph's answer breaks off, and when it closes before its end", async () => {
    const failing = new PassThrough();
    const first = gatewayAnswering(failing).gateway.forward(KEY, call);
    setImmediate(() => {
      failing.write('{"value":[');
      failing.destroy(new Error("socket hang up"));
    });
    await expect(first).rejects.toThrow("socket hang up");

    const cut = new PassThrough();
    const second = gatewayAnswering(cut).gateway.forward(KEY, call);
    setImmediate(() => {
      cut.write('{"value":[');
      cut.destroy();
    });
    await expect(second).rejects.toThrow("Premature close");
  });
});
