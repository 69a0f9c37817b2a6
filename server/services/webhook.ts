import { EwsTransport } from "../ews/transport";
import { UrlPolicyError, type Resolver, type UrlPolicy } from "../ews/url-policy";

/** One fact line of a card. */
export interface CardFact {
  title: string;
  value: string;
}

/**
 * A message with an Adaptive Card attachment: the shape a Teams Workflows webhook ("Post to a channel
 * when a webhook request is received") accepts.
 * @example await postCard(url, alertCard("Sales EMEA: 62 % of checks failed", "…", [{ title: "Profile", value: "Sales EMEA" }]));
 */
export function alertCard(
  title: string,
  text: string,
  facts: CardFact[],
  style: "attention" | "good" | "default" = "attention",
  /** A button that opens the panel (e.g. the profile's Problems view). */
  link?: { title: string; url: string },
) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            {
              type: "TextBlock",
              text: title,
              weight: "Bolder",
              size: "Medium",
              wrap: true,
              color: style === "attention" ? "Attention" : style === "good" ? "Good" : "Default",
            },
            { type: "TextBlock", text, wrap: true },
            { type: "FactSet", facts },
          ],
          ...(link ? { actions: [{ type: "Action.OpenUrl", title: link.title, url: link.url }] } : {}),
        },
      },
    ],
  };
}

/** The most of a webhook's answer that is read (its status is what counts). */
export const WEBHOOK_ANSWER_BYTES = 64 * 1024;

/**
 * A webhook post that failed. `message` is what an admin sees: it never says whether a port was open,
 * closed or answered, so the test send can't be used to scan a network; `detail` goes to the log only.
 */
export class WebhookDeliveryError extends Error {
  override readonly name = "WebhookDeliveryError";
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

export interface WebhookSenderOptions {
  /** Hosts, addresses and CIDRs in private space that webhooks may reach (`WEBHOOK_ALLOWED_HOSTS`). */
  allowedHosts: string[];
  resolver?: Resolver;
  timeoutMs?: number;
}

/**
 * Posts alert cards through the outbound URL policy and the DNS-pinned transport EWS uses, with the
 * webhooks' own allow list: https to public addresses; private, loopback or http only for hosts in
 * WEBHOOK_ALLOWED_HOSTS (EWS_ALLOWED_HOSTS opens nothing here); cloud metadata addresses never. No
 * redirects are followed and at most WEBHOOK_ANSWER_BYTES of the answer are read.
 * @example await new WebhookSender({ allowedHosts: [] }).post(url, alertCard("…", "…", []));
 */
export class WebhookSender {
  private readonly transport: EwsTransport;
  private readonly timeoutMs: number;

  constructor(options: WebhookSenderOptions) {
    this.transport = new EwsTransport({
      allowedHosts: options.allowedHosts,
      resolver: options.resolver,
      allowListName: "WEBHOOK_ALLOWED_HOSTS",
      maxSockets: 4,
    });
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The URL policy, for checking a webhook URL when it is entered. */
  get policy(): UrlPolicy {
    return this.transport.policy;
  }

  /** Posts a card; throws WebhookDeliveryError (a policy refusal says why; anything else only that it failed). */
  async post(url: string, card: unknown): Promise<void> {
    const target = safeOrigin(url);
    let status: number;
    try {
      const answer = await this.transport.request({
        url,
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(card),
        timeoutMs: this.timeoutMs,
        maxResponseBytes: WEBHOOK_ANSWER_BYTES,
      });
      status = answer.status;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      if (error instanceof UrlPolicyError) {
        throw new WebhookDeliveryError(`could not deliver to ${target}: ${error.message}`, detail);
      }
      throw new WebhookDeliveryError(`could not deliver to ${target}`, detail);
    }
    if (status < 200 || status >= 300) {
      throw new WebhookDeliveryError(`could not deliver to ${target}`, `the webhook answered HTTP ${status}`);
    }
  }

  /** Closes idle connections (shutdown, tests). */
  close(): void {
    this.transport.close();
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the webhook";
  }
}
