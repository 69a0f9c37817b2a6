import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Me } from "../../contract/auth";
import { ApiError, api, apiData } from "./client";

/** Query keys of the auth resources. */
export const authKeys = { me: ["auth", "me"] as const, admins: ["admins"] as const };

/** Who is signed in; `null` when nobody is (401). */
export function useMe() {
  return useQuery({
    queryKey: authKeys.me,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await apiData("GET /auth/me");
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

/** Signs the local admin in with e-mail and password. */
export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => apiData("POST /auth/login", { body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.me }),
  });
}

/** Signs out and forgets every cached answer but "nobody is signed in" (which shows the sign-in page). */
export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api("POST /auth/logout", { body: {} }),
    onSuccess: () => {
      // Set first, then drop the rest: the mounted useMe observer keeps its query and sees null at once.
      qc.setQueryData(authKeys.me, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== authKeys.me[0] });
    },
  });
}

/** Creates the first local admin with the one-time setup token. */
export function useSetup() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { token: string; email: string; password: string }) =>
      apiData("POST /setup", { body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.me }),
  });
}

/** Changes my password (the server ends my other sessions). */
export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current: string; next: string }) => api("POST /auth/password", { body }),
  });
}

/** Ends every other session of mine. */
export function useEndOtherSessions() {
  return useMutation({
    mutationFn: () => apiData("DELETE /auth/sessions"),
  });
}

/** Local admins (platform admins only). */
export function useAdmins() {
  return useQuery({ queryKey: authKeys.admins, queryFn: () => apiData("GET /admins") });
}

/** Adds a local admin. */
export function useAddAdmin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => apiData("POST /admins", { body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.admins }),
  });
}

/** Removes a local admin. */
export function useRemoveAdmin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api("DELETE /admins/:id", { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.admins }),
  });
}
