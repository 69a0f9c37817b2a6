import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { AppError } from "../errors";
import { shortPath } from "../http/short-path";
import { urlParam } from "../http/validate";
import { keyOf, type SyncGuards } from "./guards";
import type { EwsGateway } from "./ews-gateway";

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
 * only what it needs: the security headers, the service key, its rate limit, the `ews:proxy` scope, the
 * SOAP body and the gateway. Errors are answered by the app's error handler, as everywhere else.
 * Mounted right after the request log; any other request goes on to the app.
 * @example app.use(requestLog(app, log), gatewayEndpoint({ gateway, guards, securityHeaders, errorHandler }));
 */
export function gatewayEndpoint({
  gateway,
  guards,
  securityHeaders,
  errorHandler,
}: GatewayEndpointParts): RequestHandler {
  return shortPath({
    match: (req) => (req.method === "POST" ? (GATEWAY_PATH.exec(req.url)?.[1] ?? null) : null),
    checks: [securityHeaders, guards.requireKey, guards.limit, guards.scope("ews:proxy")],
    serve: async (req, res, encodedAddress) => {
      const address = mailboxOf(encodedAddress);
      const soap = await soapBodyOf(req);
      const controller = new AbortController();
      res.once("close", () => {
        if (!res.writableEnded) controller.abort();
      });
      const answer = await gateway.forward(keyOf(req), address, soap, controller.signal);
      res.statusCode = answer.status;
      res.setHeader("Content-Type", answer.contentType);
      res.setHeader("X-Mailbox-Sync-Profile", answer.profileId);
      res.end(answer.body);
    },
    errorHandler,
  });
}
