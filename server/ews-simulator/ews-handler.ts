import { isAuthFailure, resolveTarget, type Authenticator, type Caller } from "./auth";
import {
  enter,
  leave,
  record,
  type BackOffTracker,
  type SimulatorCounters,
  type TargetBudget,
} from "./counters";
import {
  EwsFault,
  pickFault,
  soapFaultXml,
  type FaultInjection,
  type InjectedFaultKind,
  type ThrottlingLimits,
  CapacityGate,
} from "./faults";
import type { MailboxStore } from "./mailbox-store";
import { DIRECTORY_OPERATIONS, KNOWN_EWS_OPERATIONS, OPERATIONS } from "./operations/index";
import {
  XmlSyntaxError,
  child,
  elementNames,
  ewsEnvelope,
  parseXml,
  type ServerVersion,
  type XmlNode,
} from "./soap";
import type { ResolvedMailbox, TenantIndex } from "./tenant";

/** What the HTTP layer should do with one call. */
export type Reply =
  | {
      kind: "send";
      status: number;
      body: string;
      headers?: Record<string, string | string[]>;
      contentType?: string;
    }
  /** Never answer. */
  | { kind: "hang" }
  /** Write part of `body` then destroy the socket. */
  | { kind: "drop"; body: string };

/** Everything the EWS pipeline reads; owned by the running simulator. */
export interface EwsState {
  index: TenantIndex;
  auth: Authenticator;
  counters: SimulatorCounters;
  faults: FaultInjection;
  limits: ThrottlingLimits;
  backOff: BackOffTracker;
  budget: TargetBudget;
  /** Mailbox contents (seeded when first touched; changed by CreateItem/UpdateItem/DeleteItem). */
  store: MailboxStore;
  sleep: (ms: number) => Promise<void>;
  /** Calls served under `limits.capacityPerAccount` (created on first use). */
  capacity?: CapacityGate;
}

/** The parts of an HTTP request the pipeline needs. */
export interface EwsCall {
  body: string;
  authorization: string | undefined;
  host: string;
  /** Called once when the response is finished or the socket closes (to release concurrency). */
  onDone: (fn: () => void) => void;
}

function version(index: TenantIndex): ServerVersion {
  return index.tenant.server;
}

function faultReply(fault: EwsFault): Reply {
  return { kind: "send", status: 500, body: soapFaultXml(fault) };
}

/** Whether the tenant's EwsEnabled / EwsAllowedAppIDs keep this app off EWS. */
function ewsBlockedFor(index: TenantIndex, appId: string): boolean {
  const server = index.tenant.server;
  if (!server.ewsEnabled) return true;
  return server.ewsAllowedAppIds !== undefined && !server.ewsAllowedAppIds.includes(appId.toLowerCase());
}

/** A 401 the way IIS in front of Exchange sends it: empty body and one challenge per scheme. */
export function unauthorized(state: EwsState, host: string): Reply {
  return {
    kind: "send",
    status: 401,
    body: "",
    headers: { "WWW-Authenticate": state.auth.challenges(host) },
    contentType: "text/html",
  };
}

function latency(f: FaultInjection): number {
  return f.latencyMs + (f.jitterMs > 0 ? Math.random() * f.jitterMs : 0);
}

function outcomeOf(reply: Reply): string {
  if (reply.kind !== "send") return reply.kind;
  if (reply.status !== 200 && reply.status !== 500) return String(reply.status);
  const code = /<(?:\w+:)?ResponseCode[^>]*>(\w+)</.exec(reply.body.slice(0, 4000));
  return code ? code[1] : String(reply.status);
}

function injectedReply(
  kind: InjectedFaultKind,
  state: EwsState,
  call: EwsCall,
  account: string,
  impersonatedTarget: string | undefined,
): Reply | undefined {
  switch (kind) {
    case "hang":
      return { kind: "hang" };
    case "http500":
      return {
        kind: "send",
        status: 500,
        body: "<html><body>500 - Internal server error.</body></html>",
        contentType: "text/html",
      };
    case "http503":
      return {
        kind: "send",
        status: 503,
        body: "<html><body>Service Unavailable</body></html>",
        contentType: "text/html",
      };
    case "unauthorized":
      return unauthorized(state, call.host);
    case "serverBusy":
      // Exchange charges an impersonated call to a copy of the target mailbox's budget (2010 SP2 RU4 and
      // later, Exchange Online): the back-off it announces concerns that mailbox, as the target budget's does.
      if (impersonatedTarget) state.backOff.announce("target", impersonatedTarget, state.faults.backOffMs);
      else state.backOff.announce("account", account, state.faults.backOffMs);
      return faultReply(
        new EwsFault("ErrorServerBusy", { BackOffMilliseconds: String(state.faults.backOffMs) }),
      );
    case "slow":
    case "drop":
    case "truncated":
    case "malformed":
    case "moveInProgress":
      return undefined;
  }
}

/** Breaks a good reply the way an injected fault asks. */
function corrupt(kind: InjectedFaultKind | undefined, reply: Reply): Reply {
  if (reply.kind !== "send" || !kind) return reply;
  if (kind === "truncated") return { ...reply, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) };
  if (kind === "malformed") {
    return {
      ...reply,
      body: reply.body.replace("</s:Header>", "</s:Header").replace("<s:Body", "<s:Body <"),
    };
  }
  if (kind === "drop") return { kind: "drop", body: reply.body };
  return reply;
}

function mailboxFault(
  target: ResolvedMailbox | undefined,
  state: EwsState,
  account: string,
): InjectedFaultKind | undefined {
  if (!target) return pickFault(state.faults, account, undefined);
  for (const a of [target.primarySmtpAddress, ...target.aliases]) {
    const f = state.faults.byMailbox[a];
    if (f) return f;
  }
  return pickFault(state.faults, account, target.primarySmtpAddress);
}

/**
 * Runs one SOAP call through authentication, parsing, impersonation, throttling, fault injection,
 * latency and the operation, and counts it.
 */
export async function handleEwsCall(state: EwsState, call: EwsCall): Promise<Reply> {
  state.counters.requests += 1;
  const authResult = await state.auth.authenticate(call.authorization);
  if (isAuthFailure(authResult)) {
    await state.sleep(latency(state.faults));
    record(state.counters, {
      at: Date.now(),
      account: "",
      target: "",
      operation: "(unauthenticated)",
      outcome: "401",
    });
    return unauthorized(state, call.host);
  }
  const caller: Caller = authResult;
  const account = caller.name;
  if (caller.kind === "app" && ewsBlockedFor(state.index, caller.name)) {
    // Exchange Online with EWS off, or this app not on the allow list: 403 for every mailbox, token valid.
    await state.sleep(latency(state.faults));
    record(state.counters, { at: Date.now(), account, target: "", operation: "(blocked)", outcome: "403" });
    return { kind: "send", status: 403, body: "", contentType: "text/html" };
  }
  let operation = "(invalid)";
  let target: ResolvedMailbox | undefined;
  let released = false;
  enter(state.counters, account);
  const release = () => {
    if (!released) {
      released = true;
      leave(state.counters, account);
    }
  };
  call.onDone(release);
  let reply: Reply;
  let leaveCapacity: (() => void) | undefined;
  try {
    reply = await run();
  } catch (error) {
    reply =
      error instanceof EwsFault ? faultReply(error) : faultReply(new EwsFault("ErrorInternalServerError"));
  }
  leaveCapacity?.();
  record(state.counters, {
    at: Date.now(),
    account,
    target: target?.primarySmtpAddress ?? "",
    operation,
    outcome: outcomeOf(reply),
  });
  return reply;

  async function run(): Promise<Reply> {
    const wait = state.sleep(latency(state.faults));
    let envelope: XmlNode;
    try {
      envelope = parseXml(call.body);
    } catch (error) {
      await wait;
      if (!(error instanceof XmlSyntaxError)) throw error;
      const where = `<t:LineNumber>${error.line}</t:LineNumber><t:LinePosition>${error.column}</t:LinePosition><t:Violation>${error.message.replace(/[<&>]/g, " ")}</t:Violation>`;
      throw new EwsFault(
        "ErrorSchemaValidation",
        undefined,
        `The request failed schema validation: ${error.message}`,
        where,
      );
    }
    const soapEnvelope = child(envelope, "Envelope");
    const body = child(soapEnvelope, "Body");
    operation = elementNames(body)[0] ?? "(empty)";
    const header = child(soapEnvelope, "Header");
    target = resolveTarget(state.index, caller, header);
    const targetKey = target?.primarySmtpAddress ?? "";
    state.backOff.check(state.counters, account, targetKey);

    if ((state.counters.inFlightByAccount[account] ?? 0) > state.limits.maxConcurrencyPerAccount) {
      await wait;
      state.backOff.announce("account", account, state.limits.concurrencyBackOffMs);
      throw new EwsFault("ErrorServerBusy", {
        BackOffMilliseconds: String(state.limits.concurrencyBackOffMs),
      });
    }
    const capacity = state.limits.capacityPerAccount;
    if (capacity !== undefined && capacity !== null) {
      state.capacity ??= new CapacityGate();
      const gate = state.capacity;
      if (gate.tryEnter(account, capacity)) {
        // Free again once the answer is ready, before it is sent: a client that sends its next call as
        // soon as it reads this answer must find the place free (as it would on a real server).
        let left = false;
        leaveCapacity = () => {
          if (left) return;
          left = true;
          gate.leave(account);
        };
        call.onDone(leaveCapacity);
      } else {
        await wait;
        const backOffMs = state.limits.capacityBackOffMs ?? 300;
        const impersonated = child(header, "ExchangeImpersonation") ? targetKey || undefined : undefined;
        if (impersonated) state.backOff.announce("target", impersonated, backOffMs);
        else state.backOff.announce("account", account, backOffMs);
        throw new EwsFault("ErrorServerBusy", { BackOffMilliseconds: String(backOffMs) });
      }
    }
    if (state.limits.targetBudget && targetKey) {
      const backOffMs = state.budget.take(targetKey, state.limits.targetBudget);
      if (backOffMs > 0) {
        await wait;
        state.backOff.announce("target", targetKey, backOffMs);
        throw new EwsFault("ErrorServerBusy", { BackOffMilliseconds: String(backOffMs) });
      }
    }
    const injected = mailboxFault(target, state, account);
    if (injected === "slow") await state.sleep(state.faults.slowMs);
    await wait;
    const early = injected
      ? injectedReply(
          injected,
          state,
          call,
          account,
          child(header, "ExchangeImpersonation") ? targetKey || undefined : undefined,
        )
      : undefined;
    if (early) return early;

    const handler = body ? OPERATIONS[operation] : undefined;
    if (!handler || !body) {
      if (KNOWN_EWS_OPERATIONS.has(operation)) {
        throw new EwsFault(
          "ErrorInvalidRequest",
          undefined,
          `The request is invalid. (The simulator does not implement ${operation}.)`,
        );
      }
      throw new EwsFault(
        "ErrorSchemaValidation",
        undefined,
        `The request failed schema validation: The element 'Body' has invalid child element '${operation}'.`,
        `<t:LineNumber>1</t:LineNumber><t:LinePosition>1</t:LinePosition><t:Violation>The element 'Body' has invalid child element '${operation}'.</t:Violation>`,
      );
    }
    const moveInProgress = injected === "moveInProgress";
    if (moveInProgress && DIRECTORY_OPERATIONS.has(operation)) {
      throw new EwsFault("ErrorMailboxMoveInProgress");
    }
    const request = child(body, operation) ?? {};
    const fragment = handler(
      { index: state.index, caller, target, now: Date.now(), store: state.store, moveInProgress },
      request,
    );
    return corrupt(injected, {
      kind: "send",
      status: 200,
      body: ewsEnvelope(version(state.index), fragment),
    });
  }
}
