import http from "node:http";
import https from "node:https";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { LookupFunction } from "node:net";
import { checkUrl, resolveChecked, UrlPolicyError, type UrlPolicy } from "./url-policy";

/** What went wrong below HTTP; mapped in errors.ts. */
export type TransportErrorCode =
  | "Timeout"
  | "ConnectionDropped"
  | "ConnectionRefused"
  | "TlsError"
  | "DnsNotFound"
  | "Aborted"
  | "ResponseTooLarge";

/**
 * The largest answer the product reads whole for its own EWS and Graph calls (checks, connectivity
 * steps): far above any answer those calls get, small enough that a hostile or broken server can't make
 * the process buffer without end. Callers with smaller answers pass their own `maxResponseBytes`.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** A failure to get an HTTP answer at all. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    readonly causeCode?: string,
  ) {
    super(message);
  }
}

/** Which API a call is for, as the metrics count calls (autodiscover and token calls are not counted). */
export type UpstreamApi = "ews" | "graph";

/** Told of every call made with an `api` (server/metrics implements it). */
export interface UpstreamObserver {
  /** The answer's headers arrived after `seconds` (status 0: no answer: timeout, refused, TLS, cancelled). */
  answered(api: UpstreamApi, seconds: number, status: number): void;
  /** Exchange or Graph answered busy (ErrorServerBusy, 429, 503 with Retry-After). */
  throttled(api: UpstreamApi): void;
}

/** One HTTP answer, whatever its status. */
export interface HttpAnswer {
  status: number;
  /** Lower-case names; repeated headers (WWW-Authenticate) joined with ", ". */
  headers: Record<string, string>;
  /** Every WWW-Authenticate challenge, one per entry. */
  challenges: string[];
  body: string;
}

export interface HttpRequest {
  url: string;
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The largest answer `request` reads (MAX_ANSWER_BYTES when not given); `stream` leaves the cap to its caller. */
  maxResponseBytes?: number;
  /** The API called, for the metrics (`observer`); calls without it are not counted. */
  api?: UpstreamApi;
}

/** An answer whose body the caller streams (`EwsTransport.stream`). */
export interface StreamedAnswer extends Omit<HttpAnswer, "body"> {
  body: http.IncomingMessage;
}

/** Options of the shared transport. */
export interface TransportOptions extends UrlPolicy {
  /** PEM file with extra CAs (`EWS_CA_FILE`) trusted beside the system roots. */
  caFile?: string;
  /** Extra CAs as PEM text (tests). */
  ca?: string;
  /** Default per-request timeout (30 s). */
  timeoutMs?: number;
  /** Sockets per origin (keep-alive). */
  maxSockets?: number;
}

/** Checked URLs remembered per transport (EWS and autodiscover URLs of the profiles in use). */
const CHECKED_URLS = 1000;

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL|HOSTNAME_MISMATCH)/;

/**
 * HTTP for EWS and autodiscover on node:http/https: keep-alive agents, the URL policy checked on every
 * request, DNS resolved once per connection and pinned (the agent connects to the checked address),
 * timeouts and AbortSignal cancellation. One instance is shared by every profile.
 * @example const t = new EwsTransport({ allowedHosts: ["10.0.0.0/8"] }); await t.request({ url, method: "POST", body });
 */
export class EwsTransport {
  readonly policy: UrlPolicy;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly timeoutMs: number;
  /** URLs that passed the policy (a pure check of the URL against this transport's fixed policy). */
  private readonly checkedUrls = new Map<string, URL>();
  /** Told of each call that names its `api` (the app's metrics; server/context.ts sets it). */
  observer?: UpstreamObserver;

  constructor(options: TransportOptions) {
    this.policy = {
      allowedHosts: options.allowedHosts,
      resolver: options.resolver,
      allowListName: options.allowListName,
    };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const lookup = this.pinnedLookup();
    const extra = [options.caFile ? readFileSync(options.caFile, "utf8") : "", options.ca ?? ""].filter(
      Boolean,
    );
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 64,
      maxFreeSockets: 64,
      scheduling: "lifo" as const,
      lookup,
      noDelay: true,
    };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent({
      ...agentOptions,
      ...(extra.length ? { ca: [...rootCertificates, ...extra] } : {}),
    });
  }

  /** Resolves through the policy's resolver and refuses forbidden addresses before connecting. */
  private pinnedLookup(): LookupFunction {
    const policy = this.policy;
    return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      resolveChecked(hostname, policy).then(
        (a) =>
          options.all
            ? callback(null, [{ address: a.address, family: a.family }])
            : callback(null, a.address, a.family),
        (error: unknown) => callback(error),
      );
    }) as unknown as LookupFunction;
  }

  /**
   * Sends one request and reads the whole answer; resolves with any HTTP status, rejects with
   * TransportError or UrlPolicyError. An answer larger than `maxResponseBytes` (MAX_ANSWER_BYTES by
   * default) is refused as soon as it is known to be: by its Content-Length, or when the bytes read pass
   * the cap; the socket is destroyed and nothing beyond the cap is kept.
   */
  async request(req: HttpRequest): Promise<HttpAnswer> {
    const max = req.maxResponseBytes ?? MAX_ANSWER_BYTES;
    const { res, url, fail, done } = await this.start(req, true);
    return new Promise<HttpAnswer>((resolve, reject) => {
      const tooLarge = () =>
        new TransportError(
          "ResponseTooLarge",
          `${url.host} sent an answer larger than ${formatBytes(max)}, more than this call accepts.`,
        );
      let settled = false;
      const finish = (error: Error | null, answer?: HttpAnswer) => {
        if (settled) return;
        settled = true;
        done();
        if (error) reject(error);
        else resolve(answer!);
      };
      fail.then(finish, finish);
      if (Number(res.headers["content-length"]) > max) {
        finish(tooLarge());
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      res.on("data", (c: Buffer) => {
        received += c.length;
        if (received > max) {
          finish(tooLarge());
          res.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on("end", () => {
        if (!res.complete) return finish(dropped());
        finish(null, { ...headersOf(res), body: Buffer.concat(chunks, received).toString("utf8") });
      });
    });
  }

  /**
   * Sends one request and resolves as soon as the answer's headers arrive, with its body as a stream the
   * caller reads (and must read to its end or destroy: the socket goes back to the pool only then). The
   * timeout covers the wait for the headers, then each silence while the body streams; the signal
   * cancels either. A body cut short by the server, a timeout or the signal emits `error`.
   * @example const answer = await transport.stream({ url, body }); answer.body.pipe(res);
   */
  async stream(req: HttpRequest): Promise<StreamedAnswer> {
    const { res, request, url, done } = await this.start(req, false);
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    request.setTimeout(timeoutMs, () =>
      request.destroy(
        new TransportError("Timeout", `${url.host} stopped sending for ${Math.round(timeoutMs / 1000)} s.`),
      ),
    );
    res.once("close", done);
    return { ...headersOf(res), body: res };
  }

  /**
   * Opens the request and waits for the answer's headers. `fail` settles with a TransportError if the
   * request fails after that (timeout while `wholeTimeout`, cancellation, dropped connection); `done`
   * clears the timer and the signal's listener.
   */
  private start(
    req: HttpRequest,
    wholeTimeout: boolean,
  ): Promise<{
    res: http.IncomingMessage;
    request: http.ClientRequest;
    url: URL;
    fail: Promise<Error>;
    done: () => void;
  }> {
    let url: URL;
    try {
      url = this.checked(req.url);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const signal = req.signal;
    if (signal?.aborted) return Promise.reject(new TransportError("Aborted", "The request was cancelled."));
    const body = req.body === undefined ? undefined : Buffer.from(req.body, "utf8");
    const secure = url.protocol === "https:";
    const observer = req.api ? this.observer : undefined;
    const startedAt = observer ? performance.now() : 0;
    return new Promise((resolve, reject) => {
      let answered = false;
      let failLater: (error: Error) => void = () => undefined;
      const fail = new Promise<Error>((r) => (failLater = r));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const onError = (error: Error) => {
        if (answered) return failLater(classify(error, url));
        done();
        observer?.answered(req.api!, (performance.now() - startedAt) / 1000, 0);
        reject(classify(error, url));
      };
      const headers: Record<string, string | number> = { ...req.headers };
      if (body) headers["Content-Length"] = body.length;
      const request = (secure ? https : http).request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ""),
          port: url.port || (secure ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method: req.method ?? "POST",
          headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
          servername: secure ? url.hostname : undefined,
        },
        (res) => {
          answered = true;
          if (!wholeTimeout) clearTimeout(timer);
          if (observer) observeAnswer(observer, req.api!, startedAt, res);
          res.on("aborted", () => failLater(dropped()));
          res.on("error", (e) => failLater(classify(e, url)));
          resolve({ res, request, url, fail, done });
        },
      );
      const timer = setTimeout(() => {
        request.destroy(
          new TransportError(
            "Timeout",
            `${url.host} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
          ),
        );
      }, timeoutMs);
      const onAbort = () => request.destroy(new TransportError("Aborted", "The request was cancelled."));
      signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", onError);
      // Headers and body leave in one write and Nagle is off: split writes on keep-alive sockets stall on delayed ACKs.
      request.on("socket", (socket) => socket.setNoDelay(true));
      request.end(body);
    });
  }

  /** The URL parsed and checked against the policy; refusals are thrown each time, passes remembered. */
  private checked(raw: string): URL {
    const known = this.checkedUrls.get(raw);
    if (known) return known;
    const url = checkUrl(raw, this.policy);
    if (this.checkedUrls.size >= CHECKED_URLS) this.checkedUrls.delete(this.checkedUrls.keys().next().value!);
    this.checkedUrls.set(raw, url);
    return url;
  }

  /** Closes idle keep-alive sockets (shutdown, tests). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Counts an answer's latency and outcome, and a busy answer (429, or 503 with Retry-After) as throttled. */
function observeAnswer(
  observer: UpstreamObserver,
  api: UpstreamApi,
  startedAt: number,
  res: http.IncomingMessage,
): void {
  const status = res.statusCode ?? 0;
  observer.answered(api, (performance.now() - startedAt) / 1000, status);
  if (status === 429 || (status === 503 && res.headers["retry-after"] !== undefined)) observer.throttled(api);
}

const dropped = () =>
  new TransportError(
    "ConnectionDropped",
    "The server closed the connection before the response was complete.",
  );

const formatBytes = (n: number) =>
  n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`;

/** Status and headers of an answer (lower-case names; every WWW-Authenticate challenge, one per entry). */
function headersOf(res: http.IncomingMessage): Omit<HttpAnswer, "body"> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  const www = res.headers["www-authenticate"];
  const raw = res.rawHeaders;
  const challenges: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === "www-authenticate") challenges.push(raw[i + 1]);
  }
  if (challenges.length === 0 && typeof www === "string") challenges.push(www);
  return { status: res.statusCode ?? 0, headers: flat, challenges };
}

function classify(error: Error, url: URL): Error {
  if (error instanceof TransportError || error instanceof UrlPolicyError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    code === "ECONNABORTED" ||
    error.message === "socket hang up"
  ) {
    return new TransportError(
      "ConnectionDropped",
      `The connection to ${url.host} was dropped (${code || error.message}).`,
      code,
    );
  }
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new TransportError(
      "ConnectionRefused",
      `${url.host} refused the connection or is unreachable (${code}).`,
      code,
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new TransportError(
      "DnsNotFound",
      `The name ${url.hostname} could not be resolved (${code}).`,
      code,
    );
  }
  if (code === "ETIMEDOUT") {
    return new TransportError("Timeout", `Connecting to ${url.host} timed out.`, code);
  }
  if (TLS_CODES.test(code)) {
    return new TransportError(
      "TlsError",
      `The TLS certificate of ${url.host} is not trusted (${code}: ${error.message}).`,
      code,
    );
  }
  return new TransportError("ConnectionDropped", `The request to ${url.host} failed: ${error.message}`, code);
}
