import type { MeStatus } from "../../contract/me";
import { ApiError, apiResponse } from "../api/client";

/** The outcome of one `GET /api/v1/me/status`. */
export type MyStatusResult =
  { kind: "ok"; status: MeStatus } | { kind: "signed-out" } | { kind: "failed"; message: string };

const UNREACHABLE = "The server could not be reached. Check your connection; the page retries on its own.";

/**
 * Reads the signed-in person's own status. A bearer token when there is one; otherwise the cookie
 * (the local admin in a browser). Never throws.
 * @example const result = await fetchMyStatus(token);
 */
export async function fetchMyStatus(token: string | null): Promise<MyStatusResult> {
  try {
    const res = await apiResponse("GET /me/status", {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      credentials: token ? "omit" : "same-origin",
      cache: "no-store",
    });
    const body = (await res.json().catch(() => null)) as { data?: MeStatus } | null;
    if (!body?.data) return { kind: "failed", message: `The server answered ${res.status}.` };
    return { kind: "ok", status: body.data };
  } catch (err) {
    if (!(err instanceof ApiError) || err.id === "network_error") {
      return { kind: "failed", message: UNREACHABLE };
    }
    // Without a token a 401 means "sign in"; with one, the server refused that token: say why.
    if (err.status === 401 && !token) return { kind: "signed-out" };
    return {
      kind: "failed",
      message: err.id === `http_${err.status}` ? `The server answered ${err.status}.` : err.message,
    };
  }
}
