import type { AccessFailure } from "../domain/access-outcome";
import type { EwsEnvironment } from "../ews/client";
import { ewsCodeOf, mapFailure } from "../ews/errors";
import { AppError, conflict, notFound, preconditionFailed } from "../errors";
import { profileGate, type AdaptiveLimit } from "../jobs/adaptive-limit";
import type { Logger } from "../logger";
import type { MailboxAccessService } from "../services/mailbox-access";
import type { Db } from "../store/db";
import { accessRowOf, findGatewayTarget } from "./gateway-repo";
import type { ServiceKeyIdentity } from "./service-keys";
import { setImpersonation } from "./soap-impersonation";

/** What the gateway answers: Exchange's response as it came, and which profile served it. */
export interface GatewayAnswer {
  status: number;
  contentType: string;
  body: string;
  profileId: string;
  profileName: string;
}

export interface EwsGatewayDeps {
  db: Db;
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

/**
 * The sync service's way into a mailbox: it sends a SOAP request, the gateway adds the profile's
 * credentials, impersonation and `X-AnchorMailbox`, and forwards it under the same per-profile
 * concurrency and back-off as the jobs. The caller never holds a password or a refresh token.
 * @example const answer = await gateway.forward(key, "jane@contoso.com", soapXml, signal);
 */
export class EwsGateway {
  constructor(private readonly deps: EwsGatewayDeps) {}

  async forward(
    key: ServiceKeyIdentity,
    address: string,
    soap: string,
    signal?: AbortSignal,
  ): Promise<GatewayAnswer> {
    const { db, mailboxAccess, ews, gates } = this.deps;
    // One query for the mailbox, its profile and the profile's access row.
    const user = await findGatewayTarget(db, address, key.profileId);
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
    const request = setImpersonation(soap, user.address);

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
    try {
      const answer = await ews.transport
        .request({
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
        })
        .catch((error: unknown) => {
          throw unreachable(mapFailure({ error }));
        });
      const code = answer.status >= 400 ? ewsCodeOf(answer.body) : undefined;
      if (code?.code === "ErrorServerBusy") {
        const backOffMs = Number(code.values.BackOffMilliseconds) || 5_000;
        // The request impersonates the mailbox: Exchange charged it to that mailbox's budget (see BackOffGate).
        ews.gate.announce(profile.id, user.address, backOffMs);
        gate.onBusy(backOffMs, "mailbox");
      } else if (answer.status < 400) {
        gate.onSuccess();
      }
      return {
        status: answer.status,
        contentType: answer.headers["content-type"] ?? "text/xml; charset=utf-8",
        body: answer.body,
        profileId: profile.id,
        profileName: profile.name,
      };
    } finally {
      gate.release();
    }
  }
}
