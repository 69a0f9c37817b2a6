import type { Readable } from "node:stream";
import type { AccessFailure } from "../domain/access-outcome";
import type { EwsEnvironment } from "../ews/client";
import { ewsCodeOf, mapFailure } from "../ews/errors";
import { MAX_ANSWER_BYTES } from "../ews/transport";
import { AppError, conflict, notFound, preconditionFailed } from "../errors";
import { profileGate, type AdaptiveLimit } from "../jobs/adaptive-limit";
import type { Logger } from "../logger";
import type { MailboxAccessService } from "../services/mailbox-access";
import { accessRowOf } from "../store/gateway-repo";
import type { StoreAccess } from "../store/unit-of-work";
import type { ServiceKeyIdentity } from "./service-keys";
import {
  EWS_OPERATIONS,
  operationRefusal,
  PERMISSION_OPERATIONS,
  type EwsOperationRule,
} from "./ews-operations";
import type { GatewayNote } from "../metrics/metrics";
import { readGatewaySoap } from "./soap-impersonation";

/**
 * What the gateway answers: Exchange's response as it comes, and which profile served it. A success's
 * body is Exchange's stream (attachments and MIME content can be large): read it to its end or destroy
 * it, the profile's connection slot is freed then. An error's body (a SOAP fault) is read whole.
 */
export interface GatewayAnswer {
  status: number;
  contentType: string;
  /** Exchange's Content-Length, when it sent one. */
  contentLength?: number;
  body: Readable | string;
  profileId: string;
  profileName: string;
}

/** An operation the key may not send (see ews-operations.ts): answered as a SOAP fault, Exchange never called. */
export class EwsOperationRefused extends Error {
  override readonly name = "EwsOperationRefused";
  constructor(
    readonly operation: string,
    /** The scope the operation needs, or why no scope will do. */
    readonly needs: EwsOperationRule | "unlisted" | "permissions",
    message: string,
  ) {
    super(message);
  }
}

export interface EwsGatewayDeps {
  store: StoreAccess;
  mailboxAccess: MailboxAccessService;
  ews: EwsEnvironment;
  /** Per-profile limits shared with the job runner and check-now. */
  gates: Map<string, AdaptiveLimit>;
  log: Logger;
}

const STATE_REASON: Record<string, string> = {
  "not-activated": "it has not been activated yet: an admin must activate sync for it",
  pending: "its activation is still running",
  error: "its last check failed: an admin must fix the error shown in the panel",
  paused: "an admin paused sync for it",
};

function unreachable(failure: AccessFailure): AppError {
  return new AppError(502, "exchange_unreachable", failure.message, {
    code: failure.code,
    remediation: failure.remediation,
    transient: failure.transient,
  });
}

/** The request's operation, refused unless the key's scopes cover it (EWS_OPERATIONS). */
function checkOperation(soap: ReturnType<typeof readGatewaySoap>, key: ServiceKeyIdentity): void {
  const { operation } = soap;
  if (!soap.isEws) {
    throw new EwsOperationRefused(
      operation,
      "unlisted",
      `The EWS gateway does not forward ${operation}: the SOAP Body's element must be an EWS operation (messages namespace).`,
    );
  }
  const refusal = operationRefusal(operation, key.scopes);
  if (refusal) throw new EwsOperationRefused(operation, refusal.needs, refusal.message);
  if (soap.touchesPermissions && PERMISSION_OPERATIONS.has(operation)) {
    throw new EwsOperationRefused(
      operation,
      "permissions",
      `The EWS gateway never forwards a ${operation} that sets folder permissions (PermissionSet).`,
    );
  }
  if (soap.pushSubscription) {
    // Exchange would post the mailbox's notifications to a URL of the caller's choosing, past this product.
    throw new EwsOperationRefused(
      operation,
      "never",
      `The EWS gateway never forwards a push subscription (PushSubscriptionRequest): Exchange would send the mailbox's notifications to a URL the key chose. Use a pull (GetEvents) or streaming (GetStreamingEvents) subscription.`,
    );
  }
}

/** Reads a body whole, refusing one larger than `max` (the stream is destroyed). */
async function readCapped(body: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new AppError(
        502,
        "exchange_answer_too_large",
        `Exchange's error answer was larger than ${max} bytes.`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/**
 * The sync service's way into a mailbox: it sends a SOAP request, the gateway checks its operation
 * against the key's scopes and keeps only the allowed SOAP headers, adds the profile's credentials,
 * impersonation and `X-AnchorMailbox`, and forwards it under the same per-profile concurrency and
 * back-off as the jobs. The caller never holds a password or a refresh token.
 * @example const answer = await gateway.forward(key, "jane@contoso.com", soapXml, signal);
 */
export class EwsGateway {
  constructor(private readonly deps: EwsGatewayDeps) {}

  async forward(
    key: ServiceKeyIdentity,
    address: string,
    soap: string,
    signal?: AbortSignal,
    /** Where the scope the operation needed and a busy answer are noted, for the metrics. */
    note?: GatewayNote,
  ): Promise<GatewayAnswer> {
    const { store, mailboxAccess, ews, gates } = this.deps;
    // The request is read and judged before anything else: a refused operation costs no lookup.
    const parsed = readGatewaySoap(soap);
    if (note) {
      const rule = EWS_OPERATIONS[parsed.operation];
      if (rule === "ews:read" || rule === "ews:write") note.scope = rule;
    }
    checkOperation(parsed, key);
    // One query for the mailbox, its profile and the profile's access row.
    const user = await store.repos.gateway.findTarget(address, key.profileId);
    if (!user) throw notFound(`${address} is not enrolled in any profile this key may use.`);
    const profile = {
      id: user.profileId,
      name: user.profileName,
      maxConcurrentConnections: user.maxConcurrentConnections,
    };
    if (user.syncEnabled !== 1) {
      throw conflict(`Sync is paused for the profile "${profile.name}".`, { reason: "profile-paused" });
    }
    if (user.state !== "active") {
      throw new AppError(
        409,
        "mailbox_not_active",
        `${user.address} is not active: ${STATE_REASON[user.state] ?? user.state}.`,
        { state: user.state },
      );
    }
    const request = parsed.forMailbox(user.address);

    const accessRow = accessRowOf(user);
    if (!accessRow) {
      throw preconditionFailed("Configure the profile's mailbox access (Connectivity tab) first.");
    }
    const opened = mailboxAccess.openRow(accessRow);
    if (!opened.type.ewsEndpoint) {
      throw conflict(
        `The profile's access type (${opened.type.label}) does not use EWS; the gateway can't serve it.`,
      );
    }
    const endpoint = await opened.type.ewsEndpoint(opened.config);
    if (!endpoint.ok) throw unreachable(endpoint.failure);

    const gate = profileGate(gates, profile.id, profile.maxConcurrentConnections);
    await ews.gate.wait(profile.id, user.address, signal);
    await gate.acquire(signal);
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        gate.release();
      }
    };
    try {
      const answer = await ews.transport
        .stream({
          url: endpoint.url,
          method: "POST",
          headers: {
            "Content-Type": "text/xml; charset=utf-8",
            Accept: "text/xml",
            Authorization: endpoint.authorization,
            "X-AnchorMailbox": user.address,
          },
          body: request,
          signal,
          api: "ews",
        })
        .catch((error: unknown) => {
          throw unreachable(mapFailure({ error }));
        });
      const contentType = answer.headers["content-type"] ?? "text/xml; charset=utf-8";
      const served = { profileId: profile.id, profileName: profile.name };
      if (answer.status < 400) {
        gate.onSuccess();
        // The slot is held while the answer streams, and freed when it ends, fails or the caller leaves.
        answer.body.once("close", release);
        const length = Number(answer.headers["content-length"]);
        return {
          status: answer.status,
          contentType,
          contentLength: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
          body: answer.body,
          ...served,
        };
      }
      const body = await readCapped(answer.body, MAX_ANSWER_BYTES).catch((error: unknown) => {
        throw error instanceof AppError ? error : unreachable(mapFailure({ error }));
      });
      const code = ewsCodeOf(body);
      if (code?.code === "ErrorServerBusy") {
        if (note) note.throttled = true;
        ews.transport.observer?.throttled("ews");
        const backOffMs = Number(code.values.BackOffMilliseconds) || 5_000;
        // The request impersonates the mailbox: Exchange charged it to that mailbox's budget (see BackOffGate).
        ews.gate.announce(profile.id, user.address, backOffMs);
        gate.onBusy(backOffMs, "mailbox");
      }
      release();
      return { status: answer.status, contentType, body, ...served };
    } catch (error) {
      release();
      throw error;
    }
  }
}
