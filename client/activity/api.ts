import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../api/client";

/** Audit events per page. */
export const AUDIT_PAGE_SIZE = 50;

/** Query keys of the Activity tab. */
export const activityKeys = {
  audit: (profileId: string) => ["audit-events", profileId] as const,
};

/** The profile's audit events, newest first, page by page through the cursor. */
export function useAuditEvents(profileId: string) {
  return useInfiniteQuery({
    queryKey: activityKeys.audit(profileId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api("GET /audit-events", {
        query: { profileId, limit: AUDIT_PAGE_SIZE, cursor: pageParam },
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor,
  });
}
