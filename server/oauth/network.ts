import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { rootCertificates } from "node:tls";
import {
  AuthError,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from "@azure/msal-node";

/** Timeout of one call to the identity provider when msal-node passes none. */
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * The largest answer read from the identity provider (token, discovery and metadata answers are a few
 * KB). A larger one is refused with an AuthError (msal-node passes those through as they are, where it
 * would turn any other error into a bare, transient `network_error`): a permanent failure, not a retry.
 */
export const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024;

/** The errorCode of an answer refused for its size. */
export const ANSWER_TOO_LARGE = "identity_provider_answer_too_large";

/** Thrown when the identity provider can't be reached or answers something that is not JSON. */
export class IdentityProviderNetworkError extends Error {
  constructor(
    message: string,
    readonly code: "Timeout" | "Network" | "NotJson",
  ) {
    super(message);
  }
}

/**
 * msal-node's HTTP layer over node:https, trusting the system CAs plus `ENTRA_CA_FILE` in code (a test
 * identity provider with a self-signed certificate), with keep-alive and a timeout on every call.
 * msal-node's own client uses global fetch, which can't be given a CA without a process-wide setting.
 * @example new ConfidentialClientApplication({ auth, system: { networkClient: new TrustingNetworkClient(caFile) } });
 */
export class TrustingNetworkClient implements INetworkModule {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 20 });

  constructor(caFile?: string) {
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 20,
      ...(caFile ? { ca: [...rootCertificates, readFileSync(caFile, "utf8")] } : {}),
    });
  }

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>("GET", url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>("POST", url, options);
  }

  private send<T>(
    method: "GET" | "POST",
    url: string,
    options: NetworkRequestOptions = {},
    timeout = DEFAULT_TIMEOUT_MS,
  ): Promise<NetworkResponse<T>> {
    const target = new URL(url);
    const secure = target.protocol === "https:";
    const body = method === "POST" ? (options.body ?? "") : undefined;
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    return new Promise<NetworkResponse<T>>((resolve, reject) => {
      const req = (secure ? https : http).request(
        target,
        { method, headers, agent: secure ? this.httpsAgent : this.httpAgent, timeout },
        (res) => {
          const tooLarge = () => {
            reject(
              new AuthError(
                ANSWER_TOO_LARGE,
                `The identity provider (${target.host}) sent an answer larger than ${MAX_TOKEN_ANSWER_BYTES / 1024 / 1024} MB; it was refused unread.`,
              ),
            );
            req.destroy();
          };
          if (Number(res.headers["content-length"]) > MAX_TOKEN_ANSWER_BYTES) return tooLarge();
          const chunks: Buffer[] = [];
          let received = 0;
          res.on("data", (chunk: Buffer) => {
            received += chunk.length;
            if (received > MAX_TOKEN_ANSWER_BYTES) return tooLarge();
            chunks.push(chunk);
          });
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks, received).toString("utf8");
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) {
                responseHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
              }
            }
            let parsed: T;
            try {
              parsed = (text ? JSON.parse(text) : {}) as T;
            } catch {
              reject(
                new IdentityProviderNetworkError(
                  `The identity provider answered HTTP ${res.statusCode ?? "?"} that is not JSON.`,
                  "NotJson",
                ),
              );
              return;
            }
            resolve({ headers: responseHeaders, body: parsed, status: res.statusCode ?? 502 });
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(
          new IdentityProviderNetworkError(
            `The identity provider did not answer within ${timeout} ms.`,
            "Timeout",
          ),
        ),
      );
      req.on("error", (error) =>
        reject(
          error instanceof IdentityProviderNetworkError
            ? error
            : new IdentityProviderNetworkError(
                `The identity provider could not be reached: ${error.message}`,
                "Network",
              ),
        ),
      );
      req.end(body);
    });
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }
}
