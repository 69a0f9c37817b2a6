import type { Readable } from "node:stream";
import type { AccessFailure } from "../access/types";
import type { EwsEnvironment } from "../ews/client";
import type { StreamedAnswer } from "../ews/transport";
import { AppError } from "../errors";
import type { MailboxAccessService, OpenedAccess } from "../services/mailbox-access";
import type { StoreAccess } from "../store/unit-of-work";
import type { GatewayNote } from "../metrics/metrics";
import { accessRowOf, type GatewayTargetRow } from "../store/gateway-repo";
import { GRAPH_GATEWAY_PATH, rewriteGraphLink, rewriteGraphLinks } from "./graph-links";
import { allowGraphPath, type GraphVersion } from "./graph-paths";
import type { GraphMailboxSlots } from "./graph-slots";
import type { ServiceKeyIdentity } from "./service-keys";

/** The largest request body (Graph's own limit for a request, inline attachments up to 3 MB included). */
export const GRAPH_REQUEST_LIMIT = 4 * 1024 * 1024;
/** The largest JSON answer read whole to rewrite its links; larger ones are refused (ask for smaller pages). */
export const GRAPH_REWRITE_LIMIT = 8 * 1024 * 1024;
/** Requests in one `$batch`, as Graph allows. */
export const GRAPH_BATCH_LIMIT = 20;

/** Request headers passed to Graph (the rest, Authorization and cookies first, stay here). */
const REQUEST_HEADERS = [
  "accept",
  "content-type",
  "prefer",
  "client-request-id",
  "return-client-request-id",
  "if-match",
  "if-none-match",
];
/** Answer headers passed back. */
const ANSWER_HEADERS = [
  "content-type",
  "retry-after",
  "preference-applied",
  "request-id",
  "client-request-id",
  "etag",
  "odata-version",
  "deprecation",
  "sunset",
];

/** A refusal in Graph's error shape (`{error: {code, message}}`), so the SDK reports it like Graph's own. */
export class GraphRefusal extends AppError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(status, code, message);
  }
}

const STATE_REASON: Record<string, string> = {
  "not-activated": "it has not been activated yet: an admin must activate sync for it",
  pending: "its activation is still running",
  error: "its last check failed: an admin must fix the error shown in the panel",
  paused: "an admin paused sync for it",
};

/** One call as the endpoint hands it over: the path after `/api/v1/sync/graph`, headers and body. */
export interface GraphCall {
  method: string;
  /** `/v1.0/users/jane%40contoso.com/messages?$top=10`, exactly as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
  signal?: AbortSignal;
  /** Where the gateway notes the scope the call needed, for the metrics. */
  note?: GatewayNote;
}

/** What the gateway answers: status, headers, and the body as text (links rewritten) or as a stream. */
export interface GraphAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Readable;
}

export interface GraphGatewayDeps {
  store: StoreAccess;
  mailboxAccess: MailboxAccessService;
  ews: EwsEnvironment;
  slots: GraphMailboxSlots;
  /** BASE_URL: links in answers are rewritten to `<baseUrl>/api/v1/sync/graph/...`. */
  baseUrl: string;
}

/** A mailbox a call is for, checked: its profile and the profile's Graph endpoint. */
interface Target {
  row: GatewayTargetRow;
  /** The mailbox segment as sent (address or object id). */
  segment: string;
  /** The profile's mailbox access, opened (a Graph type). */
  opened: OpenedAccess;
}

const USERS = /^\/(v1\.0|beta)\/users\/([^/?]+)\/([^?]*)(\?.*)?$/;
const BATCH = /^\/(v1\.0|beta)\/\$batch(\?.*)?$/;
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new GraphRefusal(400, "BadRequest", "The mailbox in the URL is not valid percent-encoding.");
  }
  // Graph also takes users('jane@contoso.com').
  return decoded.replace(/^\('(.*)'\)$/, "$1");
}

/**
 * The Graph gateway: the sync service calls Graph's own URL space under `/api/v1/sync/graph` with its
 * service key; the gateway checks the mailbox (active, in the key's profile, on a Graph app-only
 * profile), the path (graph-paths.ts) and the scope, holds the mailbox while Graph's Retry-After runs,
 * keeps at most 4 calls per mailbox in flight, and forwards the call as sent with the profile's app-only
 * token. Links in the answer are pointed back at the gateway; other bodies pass through as streams.
 * @example const answer = await gateway.forward(key, { method: "GET", url: "/v1.0/users/jane@contoso.com/messages", headers });
 */
export class GraphGateway {
  private readonly prefix: string;

  constructor(private readonly deps: GraphGatewayDeps) {
    this.prefix = `${deps.baseUrl.replace(/\/+$/, "")}${GRAPH_GATEWAY_PATH}`;
  }

  async forward(key: ServiceKeyIdentity, call: GraphCall): Promise<GraphAnswer> {
    const batch = BATCH.exec(call.url);
    if (batch) {
      if (call.method !== "POST") throw new GraphRefusal(405, "BadRequest", "$batch takes POST.");
      return this.batch(key, batch[1] as GraphVersion, call);
    }
    const users = USERS.exec(call.url);
    if (!users) {
      throw new GraphRefusal(
        403,
        "PathNotAllowed",
        "Only /{v1.0|beta}/users/{mailbox}/... of enrolled mailboxes and $batch are forwarded (no user listing, /me, groups or directory).",
      );
    }
    const version = users[1] as GraphVersion;
    const verdict = allowGraphPath(call.method, version, users[3]);
    if (!verdict.ok) throw new GraphRefusal(403, "PathNotAllowed", verdict.reason);
    if (call.note) call.note.scope = verdict.scope;
    if (!key.scopes.includes(verdict.scope)) {
      throw new GraphRefusal(403, "ScopeMissing", `This service key lacks the '${verdict.scope}' scope.`);
    }
    const target = await this.target(key, users[2]);
    const address = target.row.address;
    this.refuseWhileHeld(target.row.profileId, address);
    const endpoint = await this.endpoint(target.opened);
    const release = await this.deps.slots.acquire(target.row.profileId, address, 1, call.signal);
    let answer: StreamedAnswer;
    try {
      answer = await this.send(endpoint, call.method, call.url, call.headers, call.body, call.signal);
    } catch (error) {
      release();
      throw error;
    }
    this.noteThrottle(target.row.profileId, address, answer.status, answer.headers["retry-after"]);
    answer.body.once("close", release);
    return this.present(answer, endpoint.origin);
  }

  /** `$batch`: each sub-request normalised (gateway prefix and version optional) and checked alone. */
  private async batch(key: ServiceKeyIdentity, version: GraphVersion, call: GraphCall): Promise<GraphAnswer> {
    let parsed: { requests?: unknown };
    try {
      parsed = JSON.parse((call.body ?? Buffer.alloc(0)).toString("utf8")) as { requests?: unknown };
    } catch {
      throw new GraphRefusal(400, "BadRequest", "The batch body is not valid JSON.");
    }
    const requests = parsed?.requests;
    if (!Array.isArray(requests) || requests.length === 0) {
      throw new GraphRefusal(400, "BadRequest", "A batch needs a 'requests' array.");
    }
    if (requests.length > GRAPH_BATCH_LIMIT) {
      throw new GraphRefusal(400, "BadRequest", `A batch takes at most ${GRAPH_BATCH_LIMIT} requests.`);
    }
    const targets: Target[] = [];
    const normalised: Record<string, unknown>[] = [];
    // As Graph does with a sub-request it can't serve: the batch goes on, that request answers alone.
    const refused = new Map<string, GraphRefusal>();
    for (const raw of requests as Record<string, unknown>[]) {
      const id = typeof raw?.id === "string" || typeof raw?.id === "number" ? String(raw.id) : "";
      const method = typeof raw?.method === "string" ? raw.method.toUpperCase() : "";
      const url = typeof raw?.url === "string" ? raw.url : "";
      if (!id || !method || !url) {
        throw new GraphRefusal(400, "BadRequest", "Each batch request needs an id, a method and a url.");
      }
      try {
        const relative = this.batchPath(url, version);
        const users = /^\/users\/([^/?]+)\/([^?]*)(\?.*)?$/.exec(relative);
        if (!users) {
          throw new GraphRefusal(
            403,
            "PathNotAllowed",
            `Batch request ${id}: only /users/{mailbox}/... is forwarded.`,
          );
        }
        const verdict = allowGraphPath(method, version, users[2]);
        if (!verdict.ok) {
          throw new GraphRefusal(403, "PathNotAllowed", `Batch request ${id}: ${verdict.reason}`);
        }
        // A batch is counted under the widest scope it needs.
        if (call.note && call.note.scope !== "graph:write") call.note.scope = verdict.scope;
        if (!key.scopes.includes(verdict.scope)) {
          throw new GraphRefusal(
            403,
            "ScopeMissing",
            `Batch request ${id}: this service key lacks the '${verdict.scope}' scope.`,
          );
        }
        const target = await this.target(key, users[1]);
        targets.push(target);
        normalised.push({ ...raw, method, url: relative });
      } catch (error) {
        if (!(error instanceof GraphRefusal)) throw error;
        refused.set(id, error);
      }
    }
    const profileId = targets[0]?.row.profileId;
    if (targets.some((t) => t.row.profileId !== profileId)) {
      throw new GraphRefusal(
        400,
        "BadRequest",
        "All requests of a batch must be for mailboxes of one profile.",
      );
    }
    // A mailbox Graph asked to wait for answers 429 on its own; a request that depends on one that was
    // not sent fails as Graph fails it (424).
    for (let i = 0; i < normalised.length; i++) {
      const left = this.deps.ews.gate.remaining(profileId, targets[i].row.address);
      if (left > 0) {
        const seconds = Math.max(1, Math.ceil(left / 1000));
        refused.set(
          String(normalised[i].id),
          new GraphRefusal(
            429,
            "TooManyRequests",
            `Microsoft Graph asked to wait before calling this mailbox again; retry after ${seconds} s.`,
            seconds,
          ),
        );
      }
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const r of normalised) {
        const id = String(r.id);
        if (refused.has(id) || !Array.isArray(r.dependsOn)) continue;
        const failed = (r.dependsOn as unknown[]).map(String).find((d) => refused.has(d));
        if (failed !== undefined) {
          refused.set(id, new GraphRefusal(424, "FailedDependency", `Batch request ${failed} was not sent.`));
          changed = true;
        }
      }
    }
    const sending = normalised.flatMap((r, i) => (refused.has(String(r.id)) ? [] : [{ r, t: targets[i] }]));
    const answersOfRefused = [...refused].map(([id, e]) => ({
      id,
      status: e.status,
      headers: {
        "content-type": "application/json",
        ...(e.retryAfterSeconds ? { "retry-after": String(e.retryAfterSeconds) } : {}),
      },
      body: { error: { code: e.id, message: e.message } },
    }));
    if (sending.length === 0) {
      return {
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ responses: answersOfRefused }),
      };
    }
    const perMailbox = new Map<string, number>();
    for (const { t } of sending) {
      perMailbox.set(t.row.address.toLowerCase(), (perMailbox.get(t.row.address.toLowerCase()) ?? 0) + 1);
    }
    const endpoint = await this.endpoint(sending[0].t.opened);
    // In a fixed order, so two batches never wait on each other's mailboxes.
    const releases: (() => void)[] = [];
    try {
      for (const [mailbox, n] of [...perMailbox].sort(([a], [b]) => (a < b ? -1 : 1))) {
        releases.push(await this.deps.slots.acquire(profileId, mailbox, n, call.signal));
      }
      const sent = sending.map(({ r }) => r);
      const body = Buffer.from(JSON.stringify({ ...parsed, requests: sent }), "utf8");
      const headers = { ...call.headers, "content-type": "application/json" };
      const answer = await this.send(endpoint, "POST", `/${version}/$batch`, headers, body, call.signal);
      let text = await readCapped(answer.body);
      if (answer.status === 200) {
        this.noteBatchThrottles(
          profileId,
          text,
          sent,
          sending.map(({ t }) => t),
        );
        if (answersOfRefused.length > 0) text = withAnswers(text, answersOfRefused);
      } else this.noteThrottle(profileId, undefined, answer.status, answer.headers["retry-after"]);
      return {
        status: answer.status,
        headers: this.answerHeaders(answer.headers, endpoint.origin),
        body: rewriteGraphLinks(text, endpoint.origin, this.prefix),
      };
    } finally {
      for (const release of releases) release();
    }
  }

  /** A batch sub-request URL relative to the version: `/users/...`, whatever prefix it came with. */
  private batchPath(url: string, version: GraphVersion): string {
    let path = url;
    if (/^https?:\/\//i.test(path)) {
      if (!path.toLowerCase().startsWith(`${this.prefix.toLowerCase()}/`)) {
        throw new GraphRefusal(403, "PathNotAllowed", "Batch request URLs must point at this gateway.");
      }
      path = path.slice(this.prefix.length);
    }
    if (!path.startsWith("/")) path = `/${path}`;
    if (path.toLowerCase().startsWith(`${GRAPH_GATEWAY_PATH}/`)) path = path.slice(GRAPH_GATEWAY_PATH.length);
    const versioned = /^\/(v1\.0|beta)(\/.*)$/.exec(path);
    if (versioned) {
      if (versioned[1].toLowerCase() !== version.toLowerCase()) {
        throw new GraphRefusal(400, "BadRequest", `A ${version} batch can't carry ${versioned[1]} requests.`);
      }
      path = versioned[2];
    }
    return path;
  }

  /** The mailbox named in the path, enrolled and active in a profile of the key that uses Graph. */
  private async target(key: ServiceKeyIdentity, segment: string): Promise<Target> {
    const named = decodeSegment(segment);
    const { store, mailboxAccess } = this.deps;
    let row: GatewayTargetRow | undefined;
    if (OBJECT_ID.test(named)) {
      row = await store.repos.gateway.findTargetByObjectId(named, key.profileId);
      if (!row) {
        throw new GraphRefusal(
          404,
          "ErrorInvalidUser",
          `No enrolled mailbox has the object id ${named} stored: address the mailbox by its primary SMTP address.`,
        );
      }
    } else {
      row = await store.repos.gateway.findTarget(named, key.profileId);
      if (!row) {
        throw new GraphRefusal(
          403,
          "MailboxNotAllowed",
          `${named} is not enrolled in ${key.profileId ? "the profile this key is bound to" : "any profile"}.`,
        );
      }
    }
    if (row.syncEnabled !== 1) {
      throw new GraphRefusal(403, "ProfilePaused", `Sync is paused for the profile "${row.profileName}".`);
    }
    if (row.state !== "active") {
      throw new GraphRefusal(
        403,
        "MailboxNotActive",
        `${row.address} is not active: ${STATE_REASON[row.state] ?? row.state}.`,
      );
    }
    const accessRow = accessRowOf(row);
    const opened = accessRow ? mailboxAccess.openRow(accessRow) : undefined;
    if (!opened?.type.graphEndpoint) {
      throw new GraphRefusal(
        409,
        "ProfileNotOnGraph",
        `The profile "${row.profileName}" does not use Microsoft Graph (its access type is ${opened?.type.label ?? "not configured"}): use the EWS gateway for ${row.address}.`,
      );
    }
    return { row, segment, opened };
  }

  private async endpoint(opened: OpenedAccess): Promise<{ origin: string; authorization: string }> {
    const endpoint = await opened.type.graphEndpoint!(opened.config);
    if (!endpoint.ok) throw unreachable(endpoint.failure);
    return endpoint;
  }

  /** While Graph's Retry-After holds a mailbox (or the profile), the caller gets 429 without a call. */
  private refuseWhileHeld(profileId: string, mailbox: string): void {
    const left = this.deps.ews.gate.remaining(profileId, mailbox);
    if (left > 0) {
      const seconds = Math.max(1, Math.ceil(left / 1000));
      throw new GraphRefusal(
        429,
        "TooManyRequests",
        `Microsoft Graph asked to wait before calling this mailbox again; retry after ${seconds} s.`,
        seconds,
      );
    }
  }

  /** A 429 or 503 with Retry-After holds the mailbox (or the profile, for a call not about one mailbox). */
  private noteThrottle(
    profileId: string,
    mailbox: string | undefined,
    status: number,
    retryAfter?: string,
  ): void {
    if (status !== 429 && status !== 503) return;
    const ms = retryAfterMs(retryAfter);
    if (ms > 0) this.deps.ews.gate.announce(profileId, mailbox, ms);
  }

  private noteBatchThrottles(
    profileId: string,
    text: string,
    requests: Record<string, unknown>[],
    targets: Target[],
  ): void {
    if (!/"status"\s*:\s*(429|503)/.test(text)) return;
    try {
      const { responses } = JSON.parse(text) as {
        responses?: { id?: string; status?: number; headers?: Record<string, string> }[];
      };
      for (const r of responses ?? []) {
        const at = requests.findIndex((q) => String(q.id) === String(r.id));
        const retryAfter = Object.entries(r.headers ?? {}).find(
          ([k]) => k.toLowerCase() === "retry-after",
        )?.[1];
        if (at >= 0) this.noteThrottle(profileId, targets[at].row.address, r.status ?? 0, retryAfter);
      }
    } catch {
      // not JSON after all: nothing to hold
    }
  }

  private async send(
    endpoint: { origin: string; authorization: string },
    method: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer | undefined,
    signal?: AbortSignal,
  ): Promise<StreamedAnswer> {
    const out: Record<string, string> = {};
    for (const name of REQUEST_HEADERS) {
      const value = headers[name];
      if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    out.authorization = endpoint.authorization;
    try {
      return await this.deps.ews.transport.stream({
        url: `${endpoint.origin}${url}`,
        method: method as "GET" | "POST" | "PATCH" | "DELETE",
        headers: out,
        // Graph takes JSON (UTF-8) bodies: text is what the transport sends.
        body: body && body.length > 0 ? body.toString("utf8") : undefined,
        signal,
        api: "graph",
      });
    } catch (error) {
      throw new GraphRefusal(
        502,
        "GraphUnreachable",
        `Microsoft Graph could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private answerHeaders(headers: Record<string, string>, origin: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of ANSWER_HEADERS) if (headers[name] !== undefined) out[name] = headers[name];
    if (headers.location) out.location = rewriteGraphLink(headers.location, origin, this.prefix);
    return out;
  }

  /** JSON answers are read (capped) to rewrite their links; anything else streams through as it comes. */
  private async present(answer: StreamedAnswer, origin: string): Promise<GraphAnswer> {
    const headers = this.answerHeaders(answer.headers, origin);
    if (!/\bjson\b/i.test(answer.headers["content-type"] ?? "")) {
      if (answer.headers["content-length"]) headers["content-length"] = answer.headers["content-length"];
      return { status: answer.status, headers, body: answer.body };
    }
    const text = await readCapped(answer.body);
    return { status: answer.status, headers, body: rewriteGraphLinks(text, origin, this.prefix) };
  }
}

function unreachable(failure: AccessFailure): GraphRefusal {
  return new GraphRefusal(
    502,
    failure.code,
    `${failure.message}${failure.remediation ? ` ${failure.remediation}` : ""}`,
  );
}

/** `Retry-After` in seconds (Graph sends seconds; fractions allowed) or an HTTP date, as milliseconds. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number {
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

/**
 * Reads a JSON answer whole, refusing one larger than GRAPH_REWRITE_LIMIT (the stream is destroyed).
 * With listeners rather than `for await`: an async iterator costs more per answer than the small
 * answers most calls get take to read. Rejects with the stream's error, or when it closes before its end.
 */
function readCapped(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > GRAPH_REWRITE_LIMIT) {
        body.off("data", onData);
        body.destroy();
        reject(
          new GraphRefusal(
            502,
            "ResponseTooLarge",
            `Microsoft Graph answered more than ${GRAPH_REWRITE_LIMIT / 1024 / 1024} MB of JSON; ask for smaller pages ($top, Prefer: odata.maxpagesize, $select).`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    };
    body.on("data", onData);
    body.once("end", () =>
      resolve((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString("utf8")),
    );
    body.once("error", reject);
    // Settled already after `end` or `error`; otherwise the answer was cut short.
    body.once("close", () =>
      reject(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" })),
    );
  });
}

/** Graph's batch answer with the gateway's own answers to the sub-requests it did not send added. */
function withAnswers(text: string, answers: object[]): string {
  try {
    const parsed = JSON.parse(text) as { responses?: unknown[] };
    return JSON.stringify({ ...parsed, responses: [...(parsed.responses ?? []), ...answers] });
  } catch {
    return text;
  }
}
