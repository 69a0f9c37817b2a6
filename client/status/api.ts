import type { MeStatus } from "../../contract/me";

/** The outcome of one `GET /api/v1/me/status`. */
export type MyStatusResult =
  { kind: "ok"; status: MeStatus } | { kind: "signed-out" } | { kind: "failed"; message: string };

/**
 * Reads the signed-in person's own status. A bearer token when there is one; otherwise the cookie
 * (the local admin in a browser). Never throws.
 * @example const result = await fetchMyStatus(token);
 */
export async function fetchMyStatus(token: string | null): Promise<MyStatusResult> {
  try {
    const res = await fetch("/api/v1/me/status", {
      headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      credentials: token ? "omit" : "same-origin",
      cache: "no-store",
    });
    // Without a token a 401 means "sign in"; with one, the server refused that token: say why.
    if (res.status === 401 && !token) return { kind: "signed-out" };
    const body = (await res.json().catch(() => null)) as {
      data?: MeStatus;
      error?: { message?: string };
    } | null;
    if (!res.ok || !body?.data) {
      return { kind: "failed", message: body?.error?.message ?? `The server answered ${res.status}.` };
    }
    return { kind: "ok", status: body.data };
  } catch {
    return {
      kind: "failed",
      message: "The server could not be reached. Check your connection; the page retries on its own.",
    };
  }
}
