import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreateMigrationBody, Migration } from "../../../contract/migrations";
import { apiData } from "../../api/client";

/** Query keys of Move to Graph, under the profile's key so a profile refresh refreshes them. */
export const migrationKeys = {
  latest: (profileId: string) => ["profiles", profileId, "migrations", "latest"] as const,
};

/** The profile's newest move to Graph, or null. */
export function useLatestMigration(profileId: string) {
  return useQuery({
    queryKey: migrationKeys.latest(profileId),
    queryFn: ({ signal }) =>
      apiData("GET /profiles/:id/migrations/latest", { params: { id: profileId }, signal }),
  });
}

/** Starts, applies or rolls back a move; each answer becomes the latest and the profile is refreshed. */
export function useMigrationActions(profileId: string) {
  const client = useQueryClient();
  const done = (m: Migration) => {
    client.setQueryData(migrationKeys.latest(profileId), m);
    void client.invalidateQueries({ queryKey: ["profiles"], exact: true });
    void client.invalidateQueries({ queryKey: ["profiles", profileId] });
  };
  return {
    start: useMutation({
      mutationFn: (body: CreateMigrationBody) =>
        apiData("POST /profiles/:id/migrations", { params: { id: profileId }, body }),
      onSuccess: done,
    }),
    apply: useMutation({
      mutationFn: (id: string) => apiData("POST /migrations/:id/apply", { params: { id } }),
      onSuccess: done,
    }),
    rollback: useMutation({
      mutationFn: (id: string) => apiData("POST /migrations/:id/rollback", { params: { id } }),
      onSuccess: done,
    }),
  };
}
