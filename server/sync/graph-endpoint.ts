import { pipeline } from "node:stream/promises";
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { AppError } from "../errors";
import { shortPath, type ShortPath } from "../http/short-path";
import type { Logger } from "../logger";
import { keyOf, type SyncGuards } from "./guards";
import { GRAPH_REQUEST_LIMIT, GraphRefusal, type GraphGateway } from "./graph-gateway";
import { GRAPH_GATEWAY_PATH } from "./graph-links";
import { gatewayCallCounter, type GatewayNote, type Metrics } from "../metrics/metrics";

export interface GraphEndpointParts {
  gateway: GraphGateway;
  guards: SyncGuards;
  securityHeaders: RequestHandler;
  log: Logger;
  /** Counts each call by the scope it needed and its outcome (absent or off: not counted). */
  metrics?: Metrics;
}

const METHODS = new Set(["GET", "POST", "PATCH", "DELETE"]);

/**
 * The path after the gateway's prefix, or null (the app answers 404) when its version or `users`
 * segment is re-cased: Graph's own links and the SDK use `v1.0`, `beta` and `users`, and routes match
 * case-sensitively everywhere in the app. Below `/users/{mailbox}/`, Graph's words match case-insensitively.
 */
export function gatewayPathOf(url: string): string | null {
  if (!url.startsWith(`${GRAPH_GATEWAY_PATH}/`)) return null;
  const rest = url.slice(GRAPH_GATEWAY_PATH.length);
  const [, version = "", second = ""] = /^\/([^/?]*)(?:\/([^/?]*))?/.exec(rest) ?? [];
  if (/^(v1\.0|beta)$/i.test(version) && !/^(v1\.0|beta)$/.test(version)) return null;
  if (second.toLowerCase() === "users" && second !== "users") return null;
  return rest;
}

/**
 * Errors in Graph's own shape (`{error: {code, message}}`): the SDK turns them into its GraphError with
 * that code and message. A hold's remaining time goes out as Retry-After.
 */
export function graphErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof AppError) {
      if (err instanceof GraphRefusal && err.retryAfterSeconds !== undefined) {
        res.setHeader("Retry-After", String(err.retryAfterSeconds));
      }
      if (err.status === 401 || err.status === 403) req.log?.info({ errorId: err.id }, err.message);
      res.status(err.status).json({ error: { code: err.id, message: err.message } });
      return;
    }
    (req.log ?? log).error({ err }, "unhandled error in the Graph gateway");
    res.status(500).json({
      error: {
        code: "InternalServerError",
        message: `Something went wrong on our side (request ${String(req.id)}).`,
      },
    });
  };
}

/** The request body of a POST or PATCH, at most GRAPH_REQUEST_LIMIT bytes (Graph's own request limit). */
async function bodyOf(req: Request): Promise<Buffer> {
  const tooLarge = () =>
    new GraphRefusal(
      413,
      "RequestEntityTooLarge",
      `The request body is larger than ${GRAPH_REQUEST_LIMIT / 1024 / 1024} MB; attachments go inline up to 3 MB.`,
    );
  if (Number(req.headers["content-length"]) > GRAPH_REQUEST_LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > GRAPH_REQUEST_LIMIT) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * `/api/v1/sync/graph/...`: the Graph gateway's endpoint on a short path (no JSON parser, no admin
 * authentication): security headers, the service key and its rate limit, then the gateway, which checks
 * path and scope per call. Errors in Graph's shape.
 * @example app.use(graphEndpoint({ gateway, guards, securityHeaders, log }));
 */
export function graphEndpoint({
  gateway,
  guards,
  securityHeaders,
  log,
  metrics,
}: GraphEndpointParts): ShortPath {
  const count = metrics && gatewayCallCounter(metrics, "graph");
  const checks = [securityHeaders, guards.requireKey, guards.limit];
  return shortPath({
    match: (req) => gatewayPathOf(req.url),
    checks: count ? [count, ...checks] : checks,
    serve: async (req, res, url) => {
      if (!METHODS.has(req.method)) {
        throw new GraphRefusal(405, "BadRequest", `${req.method} is not forwarded.`);
      }
      const body = req.method === "GET" || req.method === "DELETE" ? undefined : await bodyOf(req);
      const controller = new AbortController();
      res.once("close", () => {
        if (!res.writableEnded) controller.abort();
      });
      const answer = await gateway.forward(keyOf(req), {
        method: req.method,
        url,
        headers: req.headers,
        body,
        signal: controller.signal,
        note: res.locals as GatewayNote,
      });
      res.statusCode = answer.status;
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      if (typeof answer.body === "string") {
        res.end(answer.body);
        return;
      }
      const stream = answer.body;
      res.once("close", () => stream.destroy());
      await pipeline(stream, res).catch(() => undefined);
    },
    errorHandler: graphErrorHandler(log),
  });
}
