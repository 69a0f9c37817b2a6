import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ProblemAction } from "../../contract/problems";
import { apiData } from "./client";
import { profileKeys } from "./profiles";
import { userKeys } from "./users";

/** Query keys of the Problems view (one profile's, or every profile's: `all`). */
export const problemKeys = {
  all: ["problems"] as const,
  of: (profileId: string | undefined) => ["problems", profileId ?? "all"] as const,
};

/** Failures grouped by cause: one profile's, or every profile the caller administers. */
export function useProblems(profileId: string | undefined) {
  return useQuery({
    queryKey: problemKeys.of(profileId),
    queryFn: ({ signal }) =>
      profileId
        ? apiData("GET /profiles/:id/problems", { params: { id: profileId }, signal })
        : apiData("GET /problems", { signal }),
  });
}

/** Runs a group's bulk action; refreshes problems, users and profiles after. */
export function useProblemAction(profileId: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ cause, action }: { cause: string; action: ProblemAction }) =>
      profileId
        ? apiData("POST /profiles/:id/problems/:cause/actions", {
            params: { id: profileId, cause },
            body: { action },
          })
        : apiData("POST /problems/:cause/actions", { params: { cause }, body: { action } }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: problemKeys.all }),
        qc.invalidateQueries({ queryKey: userKeys.all }),
        qc.invalidateQueries({ queryKey: profileKeys.all }),
      ]),
  });
}
