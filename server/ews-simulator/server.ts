import http from "node:http";
import type { AddressInfo } from "node:net";
import { Authenticator, isAuthFailure } from "./auth";
import { ewsUrlsFor, poxAutodiscover, soapGetUserSettings } from "./autodiscover";
import {
  BackOffTracker,
  TargetBudget,
  createCounters,
  record,
  resetCounters,
  type SimulatorCounters,
} from "./counters";
import { handleEwsCall, unauthorized, type EwsState, type Reply } from "./ews-handler";
import {
  createGraphState,
  handleGraphCall,
  resetGraphState,
  type GraphFaults,
  type GraphCounters,
} from "./graph";
import { defaultFaults, type FaultInjection, type ThrottlingLimits } from "./faults";
import { parseXml, XmlSyntaxError } from "./soap";
import { indexTenant, parseTenant, type Tenant, type TenantInput } from "./tenant";

/** Options of `startExchangeSimulator`. */
export interface ExchangeSimulatorOptions {
  /** A tenant object (validated; defaults filled in) — see README.md for the format. */
  tenant: TenantInput | Tenant;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  latencyMs?: number;
  jitterMs?: number;
  /** Initial fault injection (merged over the defaults); change `simulator.faults` later at will. */
  faults?: Partial<FaultInjection>;
  /** Initial throttling limits; change `simulator.limits` later at will. */
  limits?: Partial<ThrottlingLimits>;
  /** Size of `counters.calls` (default 10,000; 0 keeps none). */
  maxRecordedCalls?: number;
}

/** A running simulator. */
export interface ExchangeSimulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** `<url>/EWS/Exchange.asmx`. */
  ewsUrl: string;
  /** `<url>/autodiscover/autodiscover.xml` (POX). */
  autodiscoverUrl: string;
  /** `<url>/autodiscover/autodiscover.svc` (SOAP GetUserSettings). */
  autodiscoverSvcUrl: string;
  port: number;
  counters: SimulatorCounters;
  /** Mutable: latency, jitter, injected faults by rate, mailbox or account. */
  faults: FaultInjection;
  /** Mutable: per-account concurrency and per-target budget. */
  limits: ThrottlingLimits;
  /** Microsoft Graph under `<url>/v1.0` (same tenant): mutable throttling faults and counters (graph.ts). */
  graph: { baseUrl: string; faults: GraphFaults; counters: GraphCounters };
  /** The validated tenant in use. */
  readonly tenant: Tenant;
  /** Replaces the tenant (validated); counters and back-off state are kept. */
  setTenant(tenant: TenantInput | Tenant): void;
  /** Zeroes the counters and forgets announced back-offs and spent budgets. */
  resetCounters(): void;
  /** Stops listening and drops every connection, hung calls included. */
  close(): Promise<void>;
}

const EWS_PATH = "/ews/exchange.asmx";
const POX_PATH = "/autodiscover/autodiscover.xml";
const SVC_PATH = "/autodiscover/autodiscover.svc";

/**
 * Starts an Exchange (EWS) simulator on node:http.
 * @example
 * const sim = await startExchangeSimulator({ tenant: demoTenant() });
 * console.log(sim.ewsUrl); // http://127.0.0.1:PORT/EWS/Exchange.asmx
 * await sim.close();
 */
export async function startExchangeSimulator(options: ExchangeSimulatorOptions): Promise<ExchangeSimulator> {
  let tenant = parseTenant(options.tenant);
  const index = indexTenant(tenant);
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });
  const state: EwsState = {
    index,
    auth: new Authenticator(index),
    counters: createCounters(options.maxRecordedCalls ?? 10_000),
    faults: {
      ...defaultFaults(),
      latencyMs: options.latencyMs ?? 0,
      jitterMs: options.jitterMs ?? 0,
      ...options.faults,
    },
    limits: {
      maxConcurrencyPerAccount: 27,
      targetBudget: null,
      concurrencyBackOffMs: 1_000,
      ...options.limits,
    },
    backOff: new BackOffTracker(),
    budget: new TargetBudget(),
    sleep,
  };
  let ownEwsUrl = "";
  const graph = createGraphState();

  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void route(req, res, Buffer.concat(chunks).toString("utf8")).catch((error: unknown) => {
        send(res, { kind: "send", status: 500, body: String(error), contentType: "text/plain" });
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket) => socket.setNoDelay(true));

  async function route(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const path = (req.url ?? "/").split("?")[0].toLowerCase();
    const host = req.headers.host ?? "localhost";
    if (path.startsWith("/v1.0/")) {
      await sleep(state.faults.latencyMs + Math.random() * state.faults.jitterMs);
      const reply = await handleGraphCall(state.index, graph, {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        authorization: req.headers.authorization,
        baseUrl: `http://${host}`,
      });
      return send(res, {
        kind: "send",
        status: reply.status,
        body: reply.body,
        headers: reply.headers,
        contentType: reply.headers["Content-Type"],
      });
    }
    if (path === EWS_PATH && req.method === "POST") {
      const reply = await handleEwsCall(state, {
        body,
        authorization: req.headers.authorization,
        host,
        onDone: (fn) => res.once("close", fn),
      });
      const pad = state.faults.padAnswers;
      if (pad && reply.kind === "send" && reply.status === 200) return sendPadded(res, reply.body, pad);
      return send(res, reply);
    }
    if (path === EWS_PATH && req.method === "GET") {
      const caller = await state.auth.authenticate(req.headers.authorization);
      return send(
        res,
        isAuthFailure(caller)
          ? unauthorized(state, host)
          : {
              kind: "send",
              status: 200,
              body: "<html><body>Exchange Web Services</body></html>",
              contentType: "text/html",
            },
      );
    }
    if ((path === POX_PATH || path === SVC_PATH) && req.method === "POST") {
      return send(res, await autodiscover(path, req, body, host));
    }
    send(res, {
      kind: "send",
      status: 404,
      body: "<html><body>404 - File or directory not found.</body></html>",
      contentType: "text/html",
    });
  }

  async function autodiscover(
    path: string,
    req: http.IncomingMessage,
    body: string,
    host: string,
  ): Promise<Reply> {
    const operation = path === POX_PATH ? "Autodiscover" : "GetUserSettings";
    state.counters.requests += 1;
    const caller = await state.auth.authenticate(req.headers.authorization);
    await sleep(state.faults.latencyMs + Math.random() * state.faults.jitterMs);
    const account = isAuthFailure(caller) ? "" : caller.name;
    let reply: Reply;
    if (isAuthFailure(caller)) reply = unauthorized(state, host);
    else {
      try {
        const xml = parseXml(body);
        const urls = ewsUrlsFor(state.index, ownEwsUrl);
        const out =
          operation === "Autodiscover"
            ? poxAutodiscover(state.index, xml, urls)
            : soapGetUserSettings(state.index, xml, urls, tenant.server);
        reply =
          out === undefined
            ? { kind: "send", status: 400, body: "", contentType: "text/html" }
            : { kind: "send", status: 200, body: out };
      } catch (error) {
        if (!(error instanceof XmlSyntaxError)) throw error;
        reply = { kind: "send", status: 400, body: "", contentType: "text/html" };
      }
    }
    const status = reply.kind === "send" ? reply.status : 0;
    record(state.counters, {
      at: Date.now(),
      account,
      target: "",
      operation,
      outcome: status === 200 ? "NoError" : String(status),
    });
    return reply;
  }

  /** A 200 answer with `faults.padAnswers` bytes streamed inside it (see FaultInjection). */
  async function sendPadded(
    res: http.ServerResponse,
    body: string,
    pad: NonNullable<FaultInjection["padAnswers"]>,
  ): Promise<void> {
    res.writeHead(200, { "Content-Type": "text/xml; charset=utf-8", "request-id": requestId() });
    const write = (chunk: string) =>
      new Promise<void>((resolve) => {
        if (res.write(chunk)) return resolve();
        const go = () => {
          res.off("drain", go).off("close", go);
          resolve();
        };
        res.on("drain", go).on("close", go);
      });
    const cut = body.lastIndexOf("</");
    await write(`${body.slice(0, cut)}<!--`);
    await pad.afterFirstChunk;
    const chunk = "x".repeat(64 * 1024);
    for (let left = pad.bytes; left > 0 && !res.destroyed; left -= chunk.length) {
      await write(left >= chunk.length ? chunk : chunk.slice(0, left));
    }
    res.end(`-->${body.slice(cut)}`);
    pad.onFinished?.();
  }

  function send(res: http.ServerResponse, reply: Reply): void {
    if (reply.kind === "hang") return;
    if (reply.kind === "drop") {
      const data = Buffer.from(reply.body, "utf8");
      res.writeHead(200, { "Content-Type": "text/xml; charset=utf-8", "Content-Length": data.length });
      res.write(data.subarray(0, Math.floor(data.length / 2)), () => res.socket?.destroy());
      return;
    }
    const data = Buffer.from(reply.body, "utf8");
    res.writeHead(reply.status, {
      "Content-Type": reply.contentType ?? "text/xml; charset=utf-8",
      "Content-Length": data.length,
      "request-id": requestId(),
      ...reply.headers,
    });
    res.end(data);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  ownEwsUrl = `${url}/EWS/Exchange.asmx`;

  return {
    url,
    ewsUrl: ownEwsUrl,
    autodiscoverUrl: `${url}/autodiscover/autodiscover.xml`,
    autodiscoverSvcUrl: `${url}/autodiscover/autodiscover.svc`,
    port: address.port,
    counters: state.counters,
    graph: { baseUrl: `${url}/v1.0`, faults: graph.faults, counters: graph.counters },
    faults: state.faults,
    limits: state.limits,
    get tenant() {
      return tenant;
    },
    setTenant(next) {
      tenant = parseTenant(next);
      state.index = indexTenant(tenant);
      state.auth.setIndex(state.index);
    },
    resetCounters() {
      resetCounters(state.counters);
      resetGraphState(graph);
      state.backOff.clear();
      state.budget.clear();
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

let requestCounter = 0;
function requestId(): string {
  requestCounter = (requestCounter + 1) % 0xffffffff;
  return `00000000-0000-0000-0000-${requestCounter.toString(16).padStart(12, "0")}`;
}
