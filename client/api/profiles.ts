import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreateProfileBody, UpdateProfileBody } from "../../contract/profiles";
import { api, apiData } from "./client";

/** Query keys of profiles. */
export const profileKeys = {
  all: ["profiles"] as const,
  one: (id: string) => ["profiles", id] as const,
};

/** Every profile the caller may manage, with counts by state. */
export function useProfiles() {
  return useQuery({
    queryKey: profileKeys.all,
    queryFn: () => apiData("GET /profiles"),
    refetchInterval: 30_000,
  });
}

/** One profile. */
export function useProfile(id: string) {
  return useQuery({
    queryKey: profileKeys.one(id),
    queryFn: () => apiData("GET /profiles/:id", { params: { id } }),
  });
}

/** Creates a profile. */
export function useCreateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProfileBody) => apiData("POST /profiles", { body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: profileKeys.all }),
  });
}

/** Updates name, description, sync enabled or concurrency. */
export function useUpdateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateProfileBody }) =>
      apiData("PATCH /profiles/:id", { params: { id }, body: patch }),
    onSuccess: (profile) => {
      qc.setQueryData(profileKeys.one(profile.id), profile);
      return qc.invalidateQueries({ queryKey: profileKeys.all });
    },
  });
}

/** Deletes a profile (the server refuses while it has active users or a running job). */
export function useDeleteProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api("DELETE /profiles/:id", { params: { id } }),
    onSuccess: (_v, id) => {
      qc.removeQueries({ queryKey: profileKeys.one(id) });
      return qc.invalidateQueries({ queryKey: profileKeys.all });
    },
  });
}
