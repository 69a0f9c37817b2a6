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

/** Options of one request. */
export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Builds `/api/v1/<path>?query`, leaving out empty query values. */
export function apiUrl(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ""}`;
}

/** Sends a request with the session cookie and, in hosts, the bearer token; returns the raw Response or throws ApiError. */
export async function apiRaw(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const token = tokenProvider ? await tokenProvider() : null;
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(apiUrl(path, options.query), {
      method: options.method ?? "GET",
      credentials: "same-origin",
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

/** Sends a JSON request and returns the parsed body (`undefined` for 204). */
export async function apiJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await apiRaw(path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Returns `data` of a `{data}` response. */
export async function apiData<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const body = await apiJson<{ data: T } | undefined>(path, options);
  return body?.data as T;
}

/** Downloads a file through fetch (so the bearer token or cookie goes along) and saves it as a blob. */
export async function downloadFile(
  path: string,
  query: RequestOptions["query"],
  fallbackName: string,
): Promise<void> {
  const res = await apiRaw(path, { query, headers: { accept: "*/*" } });
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
