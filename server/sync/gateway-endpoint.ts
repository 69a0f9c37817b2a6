import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { AppError } from "../errors";
import { shortPath, type ShortPath } from "../http/short-path";
import { urlParam } from "../http/validate";
import { keyOf, type SyncGuards } from "./guards";
import type { Logger } from "../logger";
import { EwsOperationRefused, type EwsGateway } from "./ews-gateway";
import { gatewayCallCounter, type GatewayNote, type Metrics } from "../metrics/metrics";

/** `POST /api/v1/sync/mailboxes/:address/ews`, with or without a query string. */
const GATEWAY_PATH = /^\/api\/v1\/sync\/mailboxes\/([^/?]+)\/ews(?:\?|$)/;
const SOAP_TYPES = new Set(["text/xml", "application/xml", "application/soap+xml"]);
/** The largest SOAP request the gateway forwards. */
export const GATEWAY_BODY_LIMIT = 1024 * 1024;

export interface GatewayEndpointParts {
  gateway: EwsGateway;
  guards: SyncGuards;
  /** The security headers every answer carries (the app's helmet). */
  securityHeaders: RequestHandler;
  errorHandler: ErrorRequestHandler;
  /** The largest answer relayed to the caller (`GATEWAY_MAX_RESPONSE_MB`). */
  maxResponseBytes: number;
  log: Logger;
  /** Counts each call by the scope it needed and its outcome (absent or off: not counted). */
  metrics?: Metrics;
}

const TYPES_NS = "http://schemas.microsoft.com/exchange/services/2006/types";
const ERRORS_NS = "http://schemas.microsoft.com/exchange/services/2006/errors";
const escapeXml = (v: string) =>
  v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A refused operation as Exchange writes a request-level refusal: HTTP 500 with a SOAP 1.1 fault whose
 * detail carries `ErrorAccessDenied` and the message (EWS clients, the EWS Managed API and
 * ews-javascript-api among them, read a fault's code and message only from a 500; from a 403 they show
 * only the status). `MessageXml` names the operation and the scope it needs; the
 * `X-Mailbox-Sync-Refused` header tells it from a fault Exchange sent.
 */
function refusalFault(refused: EwsOperationRefused): string {
  const message = escapeXml(refused.message);
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>` +
    `<faultcode xmlns:a="${TYPES_NS}">a:ErrorAccessDenied</faultcode><faultstring xml:lang="en-US">${message}</faultstring>` +
    `<detail><e:ResponseCode xmlns:e="${ERRORS_NS}">ErrorAccessDenied</e:ResponseCode><e:Message xmlns:e="${ERRORS_NS}">${message}</e:Message>` +
    `<t:MessageXml xmlns:t="${TYPES_NS}"><t:Value Name="Operation">${escapeXml(refused.operation)}</t:Value>` +
    `<t:Value Name="RequiredScope">${escapeXml(refused.needs)}</t:Value></t:MessageXml></detail></s:Fault></s:Body></s:Envelope>`
  );
}

/**
 * Relays a streamed answer to the caller with backpressure, never holding more than a chunk or two.
 * Past `max` bytes, or when Exchange's stream fails, both connections are destroyed: the caller sees an
 * aborted response (no final chunk, or fewer bytes than the Content-Length), never a shorter body that
 * looks complete.
 */
function relay(body: Readable, res: ServerResponse, max: number, length: number | undefined, log: Logger) {
  let sent = 0;
  body.on("data", (chunk: Buffer) => {
    sent += chunk.length;
    if (sent > max) {
      log.warn({ maxBytes: max }, "EWS gateway answer passed GATEWAY_MAX_RESPONSE_MB; connection cut");
      body.destroy();
      res.destroy();
    } else if (sent === length) {
      res.end(chunk);
    } else if (!res.write(chunk)) {
      body.pause();
    }
  });
  res.on("drain", () => body.resume());
  body.on("end", () => {
    if (!res.writableEnded) res.end();
  });
  body.on("error", () => res.destroy());
  body.on("close", () => {
    if (!body.readableEnded) res.destroy();
  });
}

/** The mailbox in the URL, decoded and checked as route parameters are elsewhere (`param`). */
function mailboxOf(encoded: string): string {
  let address = "";
  try {
    address = decodeURIComponent(encoded);
  } catch {
    // not valid percent-encoding: refused below like an empty address
  }
  return urlParam("address", address);
}

const unsupported = () =>
  new AppError(415, "unsupported_media_type", "Send the SOAP request as text/xml (UTF-8).");
const tooLarge = () =>
  new AppError(
    413,
    "payload_too_large",
    `The request body is larger than the ${GATEWAY_BODY_LIMIT / 1024} KB this endpoint accepts.`,
  );

/** The SOAP request as text: a SOAP media type in UTF-8, at most GATEWAY_BODY_LIMIT bytes. */
async function soapBodyOf(req: Request): Promise<string> {
  const [media = "", ...params] = (req.headers["content-type"] ?? "").split(";");
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith("charset="))
    ?.slice(8)
    .replace(/^"|"$/g, "");
  if (
    !SOAP_TYPES.has(media.trim().toLowerCase()) ||
    (charset !== undefined && charset !== "utf-8" && charset !== "utf8")
  ) {
    throw unsupported();
  }
  if (Number(req.headers["content-length"]) > GATEWAY_BODY_LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  const size = await new Promise<number>((resolve, reject) => {
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > GATEWAY_BODY_LIMIT) {
        // Stop reading; Node discards the rest once the answer is sent.
        req.off("data", onData).pause();
        reject(tooLarge());
      } else {
        chunks.push(chunk);
      }
    };
    req
      .on("data", onData)
      .once("end", () => resolve(received))
      .once("error", reject);
  });
  if (size === 0) throw unsupported();
  return (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString("utf8");
}

/**
 * The EWS gateway's endpoint, on a short path of its own: the sync service's busiest call skips the API
 * router's JSON parser, admin authentication and contract check, none of which apply to it, and runs
 * only what it needs: the security headers, the service key, its rate limit, an `ews:read` or
 * `ews:write` scope (the gateway checks the operation against them), the SOAP body and the gateway.
 * Exchange's answer is streamed to the caller, cut off (the connection destroyed) past `maxResponseBytes`. Errors are answered by the app's error handler, as everywhere else.
 * Mounted right after the request log; any other request goes on to the app.
 * @example app.use(requestLog(app, log), gatewayEndpoint({ gateway, guards, securityHeaders, errorHandler }));
 */
export function gatewayEndpoint({
  gateway,
  guards,
  securityHeaders,
  errorHandler,
  maxResponseBytes,
  log,
  metrics,
}: GatewayEndpointParts): ShortPath {
  const count = metrics && gatewayCallCounter(metrics, "ews");
  const checks = [securityHeaders, guards.requireKey, guards.limit, guards.scope(["ews:read", "ews:write"])];
  return shortPath({
    match: (req) => (req.method === "POST" ? (GATEWAY_PATH.exec(req.url)?.[1] ?? null) : null),
    checks: count ? [count, ...checks] : checks,
    serve: async (req, res, encodedAddress) => {
      const address = mailboxOf(encodedAddress);
      const soap = await soapBodyOf(req);
      const controller = new AbortController();
      res.once("close", () => {
        if (!res.writableEnded) controller.abort();
      });
      let answer;
      try {
        answer = await gateway.forward(
          keyOf(req),
          address,
          soap,
          controller.signal,
          res.locals as GatewayNote,
        );
      } catch (error) {
        if (!(error instanceof EwsOperationRefused)) throw error;
        (res.locals as GatewayNote).refused = true;
        log.warn(
          { serviceKey: keyOf(req).name, operation: error.operation, needs: error.needs },
          "EWS gateway refused an operation",
        );
        res.statusCode = 500;
        res.setHeader("Content-Type", "text/xml; charset=utf-8");
        // An XML name may hold characters a header can't carry: those get a placeholder.
        const named = /^[\w.-]{1,100}$/.test(error.operation) ? error.operation : "unnamed";
        res.setHeader("X-Mailbox-Sync-Refused", named);
        res.end(refusalFault(error));
        return;
      }
      if (typeof answer.body !== "string" && (answer.contentLength ?? 0) > maxResponseBytes) {
        answer.body.destroy();
        throw new AppError(
          502,
          "exchange_answer_too_large",
          `Exchange's answer (${answer.contentLength} bytes) is larger than the ${Math.round(maxResponseBytes / 1024 / 1024)} MB the gateway relays (GATEWAY_MAX_RESPONSE_MB).`,
        );
      }
      res.statusCode = answer.status;
      res.setHeader("Content-Type", answer.contentType);
      res.setHeader("X-Mailbox-Sync-Profile", answer.profileId);
      if (typeof answer.body === "string") {
        res.end(answer.body);
        return;
      }
      if (answer.contentLength !== undefined) res.setHeader("Content-Length", answer.contentLength);
      if (answer.contentLength === 0) {
        answer.body.resume();
        res.end();
        return;
      }
      relay(answer.body, res, maxResponseBytes, answer.contentLength, log);
    },
    errorHandler,
  });
}
