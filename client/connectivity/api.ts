import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, apiData, apiResponse } from "../api/client";
import type { ResponseOf } from "../api/endpoints";
import type {
  ConnectivityTargets,
  ConnectivityResult,
  MailboxAccessInput,
  MailboxAccessState,
} from "./types";

/** Query keys of this feature, under the profile's own key so invalidating a profile refreshes them. */
export const connectivityKeys = {
  access: (profileId: string) => ["profiles", profileId, "mailbox-access"] as const,
  latestTest: (profileId: string) => ["profiles", profileId, "connectivity-tests", "latest"] as const,
  userSearch: (profileId: string, q: string) => ["users", "search", profileId, q] as const,
};

/** Reads the profile's mailbox access config and its ETag (`access: null` until configured). */
export async function getMailboxAccess(profileId: string, signal?: AbortSignal): Promise<MailboxAccessState> {
  const res = await apiResponse("GET /profiles/:id/mailbox-access", { params: { id: profileId }, signal });
  const body = (await res.json()) as ResponseOf<"GET /profiles/:id/mailbox-access">;
  // Only a stored configuration has a version: Express adds its own weak ETag to any JSON answer,
  // which sent back as If-Match would make the first save fail with 412.
  return { access: body.data, etag: body.data ? res.headers.get("etag") : null };
}

/** Saves the config; `etag` goes as If-Match so a stale form gets 412 instead of overwriting. */
export async function putMailboxAccess(
  profileId: string,
  input: MailboxAccessInput,
  etag: string | null,
): Promise<MailboxAccessState> {
  const res = await apiResponse("PUT /profiles/:id/mailbox-access", {
    params: { id: profileId },
    body: input,
    headers: etag ? { "if-match": etag } : undefined,
  });
  const body = (await res.json()) as ResponseOf<"PUT /profiles/:id/mailbox-access">;
  // Warnings come on the view and, for this save, beside it: show each once.
  const warnings = [...new Set([...body.data.warnings, ...body.warnings])];
  return { access: { ...body.data, warnings }, etag: res.headers.get("etag") };
}

/**
 * Finds the EWS URL for an address by Autodiscover; with a profile, its stored credentials may be used at
 * the hosts they were entered for, and at `confirmHost` once the admin confirmed a redirect there.
 */
export const autodiscover = (email: string, profileId?: string, confirmHost?: string) =>
  apiData("POST /autodiscover", {
    body: { email, ...(profileId ? { profileId } : {}), ...(confirmHost ? { confirmHost } : {}) },
  });

/** Runs the connectivity test (Remote Connectivity Analyzer's "Service Account Access"). */
export const runConnectivityTest = (profileId: string, targets: ConnectivityTargets) =>
  apiData("POST /profiles/:id/connectivity-tests", { params: { id: profileId }, body: targets });

/** The latest stored connectivity test, or null when none ran yet. */
export async function getLatestConnectivityTest(
  profileId: string,
  signal?: AbortSignal,
): Promise<ConnectivityResult | null> {
  try {
    return await apiData("GET /profiles/:id/connectivity-tests/latest", {
      params: { id: profileId },
      signal,
    });
  } catch (err) {
    if (err instanceof Error && "status" in err && (err as { status: number }).status === 404) return null;
    throw err;
  }
}

/**
 * Asks for the one-time URL that starts Connect account (OAuth impersonated logon) for the service
 * account `expectedUpn`: the link names it, and any other account that signs in is refused.
 */
export const startOAuth = (profileId: string, expectedUpn: string) =>
  apiData("POST /profiles/:id/oauth/start", { params: { id: profileId }, body: { expectedUpn } });

/** Disconnects the OAuth service account (wipes its token cache). */
export const disconnectOAuth = (profileId: string) =>
  api("DELETE /profiles/:id/oauth", { params: { id: profileId } });

/** The Mailbox Access Types the server offers (label and hint each), in picklist order. */
export function useAccessTypes() {
  return useQuery({
    queryKey: ["mailbox-access-types"] as const,
    queryFn: ({ signal }) => apiData("GET /mailbox-access-types", { signal }),
    staleTime: Infinity,
  });
}

/** The profile's mailbox access config with its ETag. */
export function useMailboxAccess(profileId: string) {
  return useQuery({
    queryKey: connectivityKeys.access(profileId),
    queryFn: ({ signal }) => getMailboxAccess(profileId, signal),
  });
}

/** Saves the config and refreshes the profile (its access type shows in lists). */
export function useSaveMailboxAccess(profileId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ input, etag }: { input: MailboxAccessInput; etag: string | null }) =>
      putMailboxAccess(profileId, input, etag),
    onSuccess: (state) => {
      client.setQueryData(connectivityKeys.access(profileId), state);
      void client.invalidateQueries({ queryKey: ["profiles"], exact: true });
      void client.invalidateQueries({ queryKey: ["profiles", profileId], exact: true });
    },
  });
}

/** The latest stored connectivity test of the profile. */
export function useLatestConnectivityTest(profileId: string) {
  return useQuery({
    queryKey: connectivityKeys.latestTest(profileId),
    queryFn: ({ signal }) => getLatestConnectivityTest(profileId, signal),
  });
}

/** Runs a connectivity test; its result becomes the latest. */
export function useRunConnectivityTest(profileId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (targets: ConnectivityTargets) => runConnectivityTest(profileId, targets),
    onSuccess: (result) => client.setQueryData(connectivityKeys.latestTest(profileId), result),
  });
}

/** Up to 20 of the profile's users whose address or display-name word starts with `q`. */
export function useUserSearch(profileId: string, q: string) {
  return useQuery({
    queryKey: connectivityKeys.userSearch(profileId, q),
    queryFn: ({ signal }) =>
      apiData("GET /profiles/:id/users", {
        params: { id: profileId },
        query: { q: q || undefined, limit: 20 },
        signal,
      }),
    staleTime: 30_000,
    placeholderData: (previous) => previous,
  });
}
