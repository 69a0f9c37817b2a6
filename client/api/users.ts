import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { UserState } from "../../contract/common";
import type { FailureCause } from "../../contract/problems";
import { profileKeys } from "./profiles";
import { api, apiData, downloadFile } from "./client";

/** Rows per page when the grid scrolls. */
export const USERS_PAGE_SIZE = 100;

/** Query keys of users. */
export const userKeys = {
  all: ["users"] as const,
  list: (profileId: string, q: string, state: UserState | "", cause = "", stalled = false) =>
    ["users", "list", profileId, q, state, cause, stalled] as const,
  one: (id: string) => ["users", "one", id] as const,
};

/** A profile's users, page by page through the cursor; `fetchNextPage` as the grid scrolls. */
export function useUsersPages(
  profileId: string,
  q: string,
  state: UserState | "",
  cause = "",
  stalled = false,
) {
  return useInfiniteQuery({
    queryKey: userKeys.list(profileId, q, state, cause, stalled),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api("GET /profiles/:id/users", {
        params: { id: profileId },
        query: {
          q,
          state: state || undefined,
          cause: cause ? (cause as FailureCause) : undefined,
          stalled: stalled ? "true" : undefined,
          limit: USERS_PAGE_SIZE,
          cursor: pageParam,
        },
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** One user with their check history. */
export function useUser(id: string | null) {
  return useQuery({
    queryKey: userKeys.one(id ?? ""),
    queryFn: () => apiData("GET /users/:id", { params: { id: id! } }),
    enabled: Boolean(id),
  });
}

function useInvalidateUsers() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: userKeys.all }),
      qc.invalidateQueries({ queryKey: profileKeys.all }),
    ]);
}

/** Adds pasted lines or a CSV file's text to a profile. */
export function useAddUsers(profileId: string) {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (text: string) =>
      apiData("POST /profiles/:id/users", { params: { id: profileId }, body: { text } }),
    onSuccess: () => invalidate(),
  });
}

/** The bulk actions on selected users. */
export type BulkUserAction = "pause" | "resume" | "remove";

/** Pauses, resumes or removes users. */
export function useBulkUsers() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ action, userIds }: { action: BulkUserAction; userIds: string[] }) =>
      apiData(`POST /users/${action}`, { body: { userIds } }),
    onSuccess: () => invalidate(),
  });
}

/** Moves users to another profile. */
export function useMoveUsers() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (body: { userIds: string[]; profileId: string }) => apiData("POST /users/move", { body }),
    onSuccess: () => invalidate(),
  });
}

/** Largest "Check now" the server takes at once. */
export const MAX_CHECK_NOW = 50;

/** Checks up to 50 users now. */
export function useCheckNow(profileId: string) {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (userIds: string[]) =>
      apiData("POST /profiles/:id/checks", { params: { id: profileId }, body: { userIds } }),
    onSuccess: () => invalidate(),
  });
}

/** Saves the profile's users as CSV. */
export function exportUsersCsv(profileId: string): Promise<void> {
  return downloadFile("GET /users/export.csv", "users.csv", { query: { profileId } });
}
