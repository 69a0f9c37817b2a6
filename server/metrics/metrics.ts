import type { RequestHandler } from "express";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { UpstreamApi, UpstreamObserver } from "../ews/transport";

/** How a gateway call ended, as the metrics count it. */
export type GatewayOutcome = "ok" | "refused" | "throttled" | "upstream_error" | "aborted";
/** What a job item came to: its result written (ok or failed), or a busy answer that put it back. */
export type JobItemOutcome = "ok" | "failed" | "throttled";

/**
 * What a gateway learns about a call for its metrics, written into an object the endpoint already has
 * (`res.locals`): the scope the call needed and whether the upstream answered busy.
 */
export interface GatewayNote {
  scope?: "ews:read" | "ews:write" | "graph:read" | "graph:write";
  throttled?: boolean;
  /** The product refused the call itself (an EWS operation the key may not send: a SOAP fault, HTTP 500). */
  refused?: boolean;
}

/**
 * What the instrumented code tells the metrics. Every method is a counter bump or two on children bound
 * once (no label objects built per call); the no-op implementation serves when metrics are off.
 */
export interface Metrics extends UpstreamObserver {
  readonly enabled: boolean;
  /** One mailbox check (jobs and check-now): its outcome, and the failure's code when it failed. */
  checked(accessType: string, outcome: "ok" | "failed" | "throttled", code?: string): void;
  /** One connectivity test of a profile's access. */
  connectivityTested(accessType: string, passed: boolean): void;
  /** One job item's turn. */
  jobItem(kind: string, outcome: JobItemOutcome): void;
  /**
   * One call of the sync service's gateways, when its answer is done: what the gateway noted (the scope
   * it needed, a busy or refused answer), the HTTP status answered, and whether the answer was sent whole.
   */
  gatewayCall(gateway: "ews" | "graph", note: GatewayNote, status: number, completed: boolean): void;
  /** The text exposition (Prometheus 0.0.4) and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * The first check of a gateway's short path: counts the call when its answer is done, with what the
 * gateway noted in `res.locals` (GatewayNote). Undefined when metrics are off (nothing to run per call).
 */
export function gatewayCallCounter(metrics: Metrics, gateway: "ews" | "graph"): RequestHandler | undefined {
  if (!metrics.enabled) return undefined;
  return (_req, res, next) => {
    const note = res.locals as GatewayNote;
    res.once("close", () => metrics.gatewayCall(gateway, note, res.statusCode, res.writableFinished));
    next();
  };
}

/** What the gauges read when scraped (database counts); each is optional. */
export interface MetricsProviders {
  /** Jobs by state (all profiles). */
  jobsByState?: () => Promise<Record<string, number>>;
  /** Mailboxes flagged stalled (all profiles). */
  stalledCount?: () => Promise<number>;
  /** Where a provider's failure is told (the scrape still answers, that gauge keeps its last value). */
  onProviderError?: (name: string, error: unknown) => void;
}

const NOOP: Metrics = {
  enabled: false,
  answered: () => undefined,
  throttled: () => undefined,
  checked: () => undefined,
  connectivityTested: () => undefined,
  jobItem: () => undefined,
  gatewayCall: () => undefined,
  render: () => Promise.reject(new Error("metrics are off (METRICS_TOKEN is not set)")),
};

/** Metrics that count nothing (METRICS_TOKEN unset). */
export const noMetrics: Metrics = NOOP;

/** Label values from outside (codes, kinds) are kept to a safe shape and a bounded number of values. */
const LABEL_SHAPE = /^[\w:.-]{1,64}$/;
const MAX_VALUES_PER_LABEL = 64;

/**
 * Children of a labelled counter, bound once per value pair and kept in nested maps: a hit costs two map
 * reads and no allocation. A value of the wrong shape, or past the first MAX_VALUES_PER_LABEL seen,
 * counts as "other", so nothing from outside can grow the series without bound.
 */
class BoundChildren<C> {
  private readonly byFirst = new Map<string, Map<string, C>>();
  private readonly seconds = new Set<string>();

  constructor(private readonly bind: (first: string, second: string) => C) {}

  private bounded(value: string, seen: { has(v: string): boolean; size: number }): string {
    if (seen.has(value)) return value;
    return LABEL_SHAPE.test(value) && seen.size < MAX_VALUES_PER_LABEL ? value : "other";
  }

  get(first: string, second: string): C {
    let inner = this.byFirst.get(first);
    if (!inner) {
      first = this.bounded(first, this.byFirst);
      inner = this.byFirst.get(first) ?? new Map<string, C>();
      this.byFirst.set(first, inner);
    }
    let child = inner.get(second);
    if (!child) {
      const value = this.bounded(second, this.seconds);
      this.seconds.add(value);
      child = inner.get(value) ?? this.bind(first, value);
      inner.set(value, child);
    }
    return child;
  }
}

const UPSTREAM_OUTCOMES = ["success", "client_error", "throttled", "server_error", "no_answer"] as const;
const GATEWAY_SCOPES = ["ews:read", "ews:write", "graph:read", "graph:write", "none"] as const;
const GATEWAY_OUTCOMES: readonly GatewayOutcome[] = [
  "ok",
  "refused",
  "throttled",
  "upstream_error",
  "aborted",
];

/** The outcome of an upstream answer by its status (0: no answer: timeout, refused connection, TLS...). */
function upstreamOutcome(status: number): number {
  if (status === 0) return 4;
  if (status < 400) return 0;
  if (status === 429) return 2;
  return status < 500 ? 1 : 3;
}

function gatewayOutcome(status: number, completed: boolean, note: GatewayNote): number {
  if (note.throttled || status === 429) return 2;
  if (note.refused) return 1;
  if (!completed) return 4;
  if (status < 400) return 0;
  return status >= 500 ? 3 : 1;
}

/**
 * The metrics of one app instance (server or worker) in a registry of its own, so several instances in
 * one process (tests) never share or clash; with `enabled` false, a no-op. Process metrics (CPU, memory,
 * event loop, GC) are collected into the same registry.
 * @example const metrics = createMetrics({ enabled: Boolean(config.metrics.token) }); metrics.checked("ews-basic-impersonation", "ok");
 */
export function createMetrics(options: { enabled: boolean } & MetricsProviders): Metrics {
  if (!options.enabled) return NOOP;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const checks = new Counter({
    name: "mailbox_sync_checks_total",
    help: "Mailbox checks (activation, re-checks, check now) by access type and outcome (ok, failed, throttled: Exchange or Graph answered busy, nothing was written)",
    labelNames: ["access_type", "outcome"] as const,
    registers,
  });
  const checkChildren = new BoundChildren((type, outcome) => checks.labels(type, outcome));
  const failures = new Counter({
    name: "mailbox_sync_check_failures_total",
    help: "Failed mailbox checks by access type and error code (the code shown in the panel, e.g. ErrorImpersonateUserDenied)",
    labelNames: ["access_type", "code"] as const,
    registers,
  });
  const failureChildren = new BoundChildren((type, code) => failures.labels(type, code));
  const tests = new Counter({
    name: "mailbox_sync_connectivity_tests_total",
    help: "Connectivity tests of a profile's mailbox access by access type and outcome (passed, failed)",
    labelNames: ["access_type", "outcome"] as const,
    registers,
  });
  const testChildren = new BoundChildren((type, outcome) => tests.labels(type, outcome));

  const latency = new Histogram({
    name: "mailbox_sync_upstream_response_seconds",
    help: "Time until Exchange (EWS) or Microsoft Graph answered a call (its response headers), checks, connectivity steps and gateway calls alike",
    labelNames: ["api"] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const requests = new Counter({
    name: "mailbox_sync_upstream_requests_total",
    help: "Calls to Exchange (EWS) and Microsoft Graph by outcome (success, client_error, throttled: HTTP 429, server_error, no_answer: timeout, refused connection, TLS)",
    labelNames: ["api", "outcome"] as const,
    registers,
  });
  const throttled = new Counter({
    name: "mailbox_sync_upstream_throttled_total",
    help: "Busy answers: EWS ErrorServerBusy, Graph 429 or 503 with Retry-After (the caller backs off)",
    labelNames: ["api"] as const,
    registers,
  });
  const apis: UpstreamApi[] = ["ews", "graph"];
  const latencyOf = Object.fromEntries(apis.map((api) => [api, latency.labels(api)])) as Record<
    UpstreamApi,
    Histogram.Internal<"api">
  >;
  const requestsOf = Object.fromEntries(
    apis.map((api) => [api, UPSTREAM_OUTCOMES.map((outcome) => requests.labels(api, outcome))]),
  ) as Record<UpstreamApi, Counter.Internal[]>;
  const throttledOf = Object.fromEntries(apis.map((api) => [api, throttled.labels(api)])) as Record<
    UpstreamApi,
    Counter.Internal
  >;

  const jobItems = new Counter({
    name: "mailbox_sync_job_items_total",
    help: "Job items by job kind and outcome: ok or failed (the result written) or throttled (a busy answer; the item waits and goes again)",
    labelNames: ["kind", "outcome"] as const,
    registers,
  });
  const jobItemChildren = new BoundChildren((kind, outcome) => jobItems.labels(kind, outcome));

  const gateway = new Counter({
    name: "mailbox_sync_gateway_requests_total",
    help: "Calls of the sync service's EWS and Graph gateways by the scope they needed (none: refused before it was known) and outcome (ok, refused: 4xx, throttled, upstream_error: 5xx, aborted)",
    labelNames: ["gateway", "scope", "outcome"] as const,
    registers,
  });
  const gatewayChildren = Object.fromEntries(
    (["ews", "graph"] as const).map((g) => [
      g,
      GATEWAY_SCOPES.map((scope) => GATEWAY_OUTCOMES.map((outcome) => gateway.labels(g, scope, outcome))),
    ]),
  ) as Record<"ews" | "graph", Counter.Internal[][]>;
  const scopeIndex = new Map<string, number>(GATEWAY_SCOPES.map((scope, i) => [scope, i]));

  const providerFailed = (name: string, error: unknown) => options.onProviderError?.(name, error);
  if (options.jobsByState) {
    const read = options.jobsByState;
    new Gauge({
      name: "mailbox_sync_jobs",
      help: "Jobs by state (activation, re-checks, Move to Graph), all profiles",
      labelNames: ["state"] as const,
      registers,
      async collect() {
        try {
          const counts = await read();
          this.reset();
          for (const [state, n] of Object.entries(counts)) this.labels(state).set(n);
        } catch (error) {
          providerFailed("mailbox_sync_jobs", error);
        }
      },
    });
  }
  if (options.stalledCount) {
    const read = options.stalledCount;
    new Gauge({
      name: "mailbox_sync_stalled_mailboxes",
      help: "Active mailboxes with no sync report for longer than their profile's threshold (stalled), all profiles",
      registers,
      async collect() {
        try {
          this.set(await read());
        } catch (error) {
          providerFailed("mailbox_sync_stalled_mailboxes", error);
        }
      },
    });
  }

  return {
    enabled: true,
    answered(api, seconds, status) {
      latencyOf[api].observe(seconds);
      requestsOf[api][upstreamOutcome(status)].inc();
    },
    throttled(api) {
      throttledOf[api].inc();
    },
    checked(accessType, outcome, code) {
      checkChildren.get(accessType, outcome).inc();
      if (outcome === "failed") failureChildren.get(accessType, code ?? "Unknown").inc();
    },
    connectivityTested(accessType, passed) {
      testChildren.get(accessType, passed ? "passed" : "failed").inc();
    },
    jobItem(kind, outcome) {
      jobItemChildren.get(kind, outcome).inc();
    },
    gatewayCall(g, note, status, completed) {
      gatewayChildren[g][scopeIndex.get(note.scope ?? "none") ?? 4][
        gatewayOutcome(status, completed, note)
      ].inc();
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
