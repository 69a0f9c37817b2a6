import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ProblemAction, ProblemActionResult, Problems } from "../../contract/problems";
import { apiData } from "./client";
import { profileKeys } from "./profiles";
import { userKeys } from "./users";

/** Query keys of the Problems view (one profile's, or every profile's: `all`). */
export const problemKeys = {
  all: ["problems"] as const,
  of: (profileId: string | undefined) => ["problems", profileId ?? "all"] as const,
};

const base = (profileId: string | undefined) =>
  profileId ? `/profiles/${encodeURIComponent(profileId)}/problems` : "/problems";

/** Failures grouped by cause: one profile's, or every profile the caller administers. */
export function useProblems(profileId: string | undefined) {
  return useQuery({
    queryKey: problemKeys.of(profileId),
    queryFn: ({ signal }) => apiData<Problems>(base(profileId), { signal }),
  });
}

/** Runs a group's bulk action; refreshes problems, users and profiles after. */
export function useProblemAction(profileId: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ cause, action }: { cause: string; action: ProblemAction }) =>
      apiData<ProblemActionResult>(`${base(profileId)}/${encodeURIComponent(cause)}/actions`, {
        method: "POST",
        body: { action },
      }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: problemKeys.all }),
        qc.invalidateQueries({ queryKey: userKeys.all }),
        qc.invalidateQueries({ queryKey: profileKeys.all }),
      ]),
  });
}
