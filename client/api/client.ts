import type { CallArgs, DataKey, DataOf, EndpointKey, FileKey, JsonKey, ResponseOf } from "./endpoints";

/** Where every API call goes. */
export const API_BASE = "/api/v1";

/** Supplies a bearer token inside hosts (set by the host/identity layer); null outside. */
export type TokenProvider = () => Promise<string | null>;

let tokenProvider: TokenProvider | null = null;

/** Installs (or clears) the bearer token source used by every request. */
export function setTokenProvider(provider: TokenProvider | null): void {
  tokenProvider = provider;
}

/**
 * An API refusal as the server explains it: a stable `id`, a message meant for people, and details
 * (field errors, counts, a running job's id).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The server's field errors, when it sent zod-style details `[{path, message}]`. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (!Array.isArray(this.details)) return out;
    for (const d of this.details as unknown[]) {
      if (d && typeof d === "object" && "message" in d) {
        const rawPath = (d as { path?: unknown }).path;
        const key = Array.isArray(rawPath) ? rawPath.join(".") : typeof rawPath === "string" ? rawPath : "";
        out[key] ??= String(d.message);
      }
    }
    return out;
  }
}

/** A query string as values by name; empty ones (`undefined`, `null`, `""`) are left out. */
type Query = Record<string, string | number | boolean | null | undefined>;

/** Options of one request as it goes out (path parameters already in the path). */
interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  credentials?: RequestCredentials;
  cache?: RequestCache;
}

/** Builds `/api/v1/<path>?query`, leaving out empty query values. */
export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ""}`;
}

/** An endpoint key's method and its path with the parameters filled in (URL-encoded). */
export function resolveEndpoint(
  key: EndpointKey,
  params?: Record<string, string>,
): { method: string; path: string } {
  const space = key.indexOf(" ");
  const path = key.slice(space + 1).replace(/:(\w+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${key}: the path parameter "${name}" is missing`);
    return encodeURIComponent(value);
  });
  return { method: key.slice(0, space), path };
}

/** Sends a request with the session cookie and, in hosts, the bearer token; returns the raw Response or throws ApiError. */
async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const token = tokenProvider ? await tokenProvider() : null;
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(apiUrl(path, options.query), {
      method: options.method ?? "GET",
      credentials: options.credentials ?? "same-origin",
      cache: options.cache,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(
      0,
      "network_error",
      "The server can't be reached. Check your connection and try again.",
    );
  }
  if (!res.ok) throw await toApiError(res);
  return res;
}

/**
 * Calls an endpoint named by method and path as contract/endpoints.ts lists it, and returns the raw
 * Response (for headers such as the ETag, a file or an event stream); throws ApiError on a refusal.
 * @example const res = await apiResponse("GET /jobs/:id/events", { params: { id }, signal });
 */
export async function apiResponse<K extends EndpointKey>(
  key: K,
  ...[options]: CallArgs<K>
): Promise<Response> {
  const { method, path } = resolveEndpoint(key, options?.params);
  return send(path, {
    method,
    body: options?.body,
    query: options?.query as Query | undefined,
    headers: options?.headers,
    signal: options?.signal,
    credentials: options?.credentials,
    cache: options?.cache,
  });
}

/**
 * Calls a JSON endpoint: the body, query and answer are typed by the contract's entry for `key`
 * (`undefined` for a 204).
 * @example const page = await api("GET /profiles/:id/users", { params: { id }, query: { q, limit: 100 } });
 */
export async function api<K extends JsonKey>(key: K, ...args: CallArgs<K>): Promise<ResponseOf<K>> {
  const res = await apiResponse(key, ...args);
  if (res.status === 204) return undefined as ResponseOf<K>;
  return (await res.json()) as ResponseOf<K>;
}

/**
 * Calls an endpoint that answers `{data}` and returns its `data`, typed by the contract.
 * @example const profile = await apiData("GET /profiles/:id", { params: { id } });
 */
export async function apiData<K extends DataKey>(key: K, ...args: CallArgs<K>): Promise<DataOf<K>> {
  const body = (await api(key, ...args)) as { data: DataOf<K> };
  return body.data;
}

async function toApiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { id?: string; message?: string; details?: unknown } };
    if (body.error?.id) {
      return new ApiError(
        res.status,
        body.error.id,
        body.error.message ?? res.statusText,
        body.error.details,
      );
    }
  } catch {
    // not JSON: fall through to a generic message
  }
  return new ApiError(
    res.status,
    `http_${res.status}`,
    `The server answered ${res.status} ${res.statusText}.`,
  );
}

/** Downloads a file through fetch (so the bearer token or cookie goes along) and saves it as a blob. */
export async function downloadFile<K extends FileKey>(
  key: K,
  fallbackName: string,
  ...[options]: CallArgs<K>
): Promise<void> {
  const { method, path } = resolveEndpoint(key, options?.params);
  const res = await send(path, {
    method,
    query: options?.query as Query | undefined,
    headers: { accept: "*/*" },
  });
  const blob = await res.blob();
  const disposition = res.headers.get("content-disposition") ?? "";
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = decodeURIComponent(name);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A message for any thrown value, for toasts and inline errors. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) return err.message;
  return "Something went wrong.";
}
