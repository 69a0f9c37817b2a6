import { useQuery } from "@tanstack/react-query";
import { apiData } from "./client";
import { profileKeys } from "./profiles";

/** Query key of the overview: under the profiles' key, so every profile change refreshes it. */
export const overviewKey = [...profileKeys.all, "overview"] as const;

/** The overview of every profile the caller manages (the Profiles page). */
export function useOverview() {
  return useQuery({
    queryKey: overviewKey,
    queryFn: () => apiData("GET /overview"),
    refetchInterval: 30_000,
  });
}
