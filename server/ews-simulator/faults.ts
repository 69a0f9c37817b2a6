import { NS, esc } from "./soap";

/** Texts Exchange 2016 puts in faultstring / e:Message for the codes the simulator raises. */
export const FAULT_TEXT: Record<string, string> = {
  ErrorImpersonateUserDenied: "The account does not have permission to impersonate the requested user.",
  ErrorNonExistentMailbox: "The SMTP address has no mailbox associated with it.",
  ErrorInvalidExchangeImpersonationHeaderData:
    "ExchangeImpersonation SOAP header must be present for this type of OAuth token.",
  ErrorNonPrimarySmtpAddress: "The primary SMTP address must be specified when referencing a mailbox.",
  ErrorServerBusy: "The server cannot service this request right now. Try again later.",
  ErrorAccessDenied: "Access is denied. Check credentials and try again.",
  ErrorMailboxMoveInProgress: "Mailbox move in progress. Try again later.",
  ErrorMissingEmailAddress:
    "When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.",
  ErrorSchemaValidation: "The request failed schema validation.",
  ErrorInvalidRequest: "The request is invalid.",
  ErrorInvalidServerVersion: "The specified server version is invalid.",
  ErrorInternalServerError: "An internal server error occurred. The operation failed.",
};

/**
 * A request-level EWS error: written as a SOAP fault with HTTP 500, as Exchange does for
 * impersonation, throttling and schema errors.
 * @example throw new EwsFault("ErrorServerBusy", { BackOffMilliseconds: "5000" })
 */
export class EwsFault extends Error {
  override readonly name = "EwsFault";
  constructor(
    readonly code: string,
    /** `t:Value Name=...` entries inside `t:MessageXml`. */
    readonly values?: Record<string, string>,
    message?: string,
    /** Extra elements for `t:MessageXml` (schema validation's LineNumber, LinePosition, Violation). */
    readonly messageXml?: string,
  ) {
    super(message ?? FAULT_TEXT[code] ?? code);
  }
}

/**
 * The SOAP 1.1 fault Exchange sends with HTTP 500: faultcode in the types namespace (`a:`),
 * faultstring, and a detail with `e:ResponseCode`, `e:Message` and optionally `t:MessageXml`.
 */
export function soapFaultXml(fault: EwsFault): string {
  const values = fault.values
    ? Object.entries(fault.values)
        .map(([k, v]) => `<t:Value Name="${esc(k)}">${esc(v)}</t:Value>`)
        .join("")
    : "";
  const messageXml =
    values || fault.messageXml
      ? `<t:MessageXml xmlns:t="${NS.types}">${fault.messageXml ?? ""}${values}</t:MessageXml>`
      : "";
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.soap}"><s:Body><s:Fault>` +
    `<faultcode xmlns:a="${NS.types}">a:${fault.code}</faultcode>` +
    `<faultstring xml:lang="en-US">${esc(fault.message)}</faultstring>` +
    `<detail><e:ResponseCode xmlns:e="${NS.errors}">${fault.code}</e:ResponseCode>` +
    `<e:Message xmlns:e="${NS.errors}">${esc(fault.message)}</e:Message>${messageXml}</detail>` +
    `</s:Fault></s:Body></s:Envelope>`
  );
}

/** What an injected fault does to one call. */
export type InjectedFaultKind =
  /** Never answer (until the client gives up or the simulator closes). */
  | "hang"
  /** Answer normally after `slowMs`. */
  | "slow"
  | "http500"
  | "http503"
  /** Destroy the socket after writing part of the response. */
  | "drop"
  /** A well-formed start that stops half-way. */
  | "truncated"
  /** Broken XML of the full length. */
  | "malformed"
  | "moveInProgress"
  | "serverBusy"
  | "unauthorized";

/** Mutable fault-injection settings; change them at any time through `simulator.faults`. */
export interface FaultInjection {
  /** Added to every EWS and autodiscover call. */
  latencyMs: number;
  /** Random extra latency in [0, jitterMs). */
  jitterMs: number;
  /** Probability (0..1) per call of each fault, checked in the order written. */
  rates: Partial<Record<InjectedFaultKind, number>>;
  /** Faults for every call whose target mailbox (primary or alias address) is listed. */
  byMailbox: Record<string, InjectedFaultKind>;
  /** Faults for every call made by this account (logon or app id). */
  byAccount: Record<string, InjectedFaultKind>;
  /** Delay of a `slow` answer. */
  slowMs: number;
  /** BackOffMilliseconds announced by injected `serverBusy` faults. */
  backOffMs: number;
  /**
   * Test hook for large answers (attachments, MIME content): EWS answers with HTTP 200 carry this many
   * extra bytes (an XML comment before the Envelope's end tag), streamed in 64 KB chunks without a
   * Content-Length. The rest waits for `afterFirstChunk` once the first chunk is written;
   * `onFinished` is called when the whole answer was written (or the caller went away).
   */
  padAnswers?: { bytes: number; afterFirstChunk?: Promise<void>; onFinished?: () => void };
}

/** Limits Exchange applies through its throttling policy. */
export interface ThrottlingLimits {
  /** EWSMaxConcurrency per account (Exchange default 27); over it → ErrorServerBusy. */
  maxConcurrencyPerAccount: number;
  /** Calls per target mailbox per window; over it → ErrorServerBusy with BackOffMilliseconds. Null = unlimited. */
  targetBudget: { calls: number; windowMs: number } | null;
  /** BackOffMilliseconds announced when the concurrency limit is hit. */
  concurrencyBackOffMs: number;
}

/** Default fault settings: nothing injected. */
export function defaultFaults(): FaultInjection {
  return {
    latencyMs: 0,
    jitterMs: 0,
    rates: {},
    byMailbox: {},
    byAccount: {},
    slowMs: 30_000,
    backOffMs: 2_000,
  };
}

/** Chooses the injected fault (if any) for one call. */
export function pickFault(
  f: FaultInjection,
  account: string | undefined,
  target: string | undefined,
): InjectedFaultKind | undefined {
  if (target && f.byMailbox[target]) return f.byMailbox[target];
  if (account && f.byAccount[account]) return f.byAccount[account];
  for (const [kind, rate] of Object.entries(f.rates) as [InjectedFaultKind, number][]) {
    if (rate > 0 && Math.random() < rate) return kind;
  }
  return undefined;
}
