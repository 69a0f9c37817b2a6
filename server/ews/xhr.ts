import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import type { IXHRApi, IXHROptions, IXHRProgress } from "ews-javascript-api";
import type { BackOffGate } from "./backoff";
import { ewsCodeOf } from "./errors";
import type { EwsTransport, HttpAnswer } from "./transport";

/**
 * What one logical EWS operation (a check, a connectivity step) carries through the library's promise
 * chains: cancellation, a timeout, and the last HTTP answer or transport error, so the error mapping sees
 * the wire itself rather than the library's reduced SoapFaultDetails.
 */
export interface EwsCallScope {
  signal?: AbortSignal;
  timeoutMs?: number;
  lastAnswer?: HttpAnswer;
  lastError?: unknown;
}

/**
 * ews-javascript-api parses with xmldom, whose default error handler prints every problem of a malformed
 * answer to the console. Quiet it: the parse still fails and the failure is mapped (MalformedResponse).
 * Called once, when the library is loaded (server/ews/client.ts loadEws).
 */
export function quietXmlParser(): void {
  const extensions = createRequire(import.meta.url)("ews-javascript-api/js/ExtensionMethods.js") as {
    DOMParser: new (options?: object) => unknown;
  };
  const Base = extensions.DOMParser;
  const quiet = {
    warning: () => undefined,
    error: () => undefined,
    fatalError: (e: unknown) => {
      throw new Error(String(e));
    },
  };
  extensions.DOMParser = class QuietDOMParser extends (Base as new (options?: object) => object) {
    constructor(options?: object) {
      super({ errorHandler: quiet, ...options });
    }
  };
}

export const callScope = new AsyncLocalStorage<EwsCallScope>();

/** Runs `fn` with a fresh call scope and returns both its outcome and the scope. */
export async function inCallScope<T>(scope: EwsCallScope, fn: () => Promise<T>): Promise<T> {
  return callScope.run(scope, fn);
}

type FakeXhr = XMLHttpRequest & { headers: Record<string, string> };

/** The response object ews-javascript-api reads (`status`, `responseText`, header getters). */
function toXhr(answer: HttpAnswer): FakeXhr {
  return {
    status: answer.status,
    statusText: "",
    responseText: answer.body,
    response: answer.body,
    headers: answer.headers,
    getAllResponseHeaders: () =>
      Object.entries(answer.headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join("\r\n"),
    getResponseHeader: (name: string) => answer.headers[name.toLowerCase()] ?? null,
  } as unknown as FakeXhr;
}

/**
 * `IXHRApi` over the shared EwsTransport, bound to one profile and, for an impersonating service object,
 * to the mailbox it acts as: waits out the back-offs that hold its calls before every call, and starts
 * one (for that mailbox, or for the profile when it doesn't impersonate) when Exchange answers
 * ErrorServerBusy. See BackOffGate for why the scope follows impersonation.
 * @example service.XHRApi = new EwsXhrApi(transport, gate, profileId, "jane@contoso.com");
 */
export class EwsXhrApi implements IXHRApi {
  readonly apiName = "mailbox-sync-admin";

  constructor(
    private readonly transport: EwsTransport,
    private readonly gate: BackOffGate,
    private readonly profileId: string,
    private readonly impersonated?: string,
  ) {}

  async xhr(options: IXHROptions, _progress?: (p: IXHRProgress) => void): Promise<XMLHttpRequest> {
    const scope = callScope.getStore();
    let answer: HttpAnswer;
    try {
      await this.gate.wait(this.profileId, this.impersonated, scope?.signal);
      answer = await this.transport.request({
        url: options.url,
        method: (options.type as "POST" | "GET" | undefined) ?? "POST",
        headers: options.headers as Record<string, string>,
        body: typeof options.data === "string" ? options.data : undefined,
        timeoutMs: scope?.timeoutMs,
        signal: scope?.signal,
        api: "ews",
      });
    } catch (error) {
      if (scope) scope.lastError = error;
      // The library turns this into a SoapFaultDetails with our message; the scope keeps the real error.
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- IXHRApi rejects with the response object
      throw Object.assign(toXhr({ status: 0, headers: {}, challenges: [], body: "" }), {
        message: (error as Error).message,
      });
    }
    if (scope) {
      scope.lastAnswer = answer;
      scope.lastError = undefined;
    }
    if (answer.status === 500 && answer.body.includes("ErrorServerBusy")) {
      const ews = ewsCodeOf(answer.body);
      if (ews?.code === "ErrorServerBusy") {
        this.transport.observer?.throttled("ews");
        this.gate.announce(
          this.profileId,
          this.impersonated,
          Number(ews.values.BackOffMilliseconds) || 5_000,
        );
      }
    }
    const xhr = toXhr(answer);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- IXHRApi rejects non-200 answers with the response object
    if (answer.status !== 200) throw xhr;
    return xhr;
  }

  xhrStream(): Promise<XMLHttpRequest> {
    return Promise.reject(new Error("Streaming notifications are not used by this product."));
  }

  disconnect(): void {
    // Sockets belong to the shared transport.
  }
}
