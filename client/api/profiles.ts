import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreateProfileBody, Profile, UpdateProfileBody } from "../../contract/profiles";
import { apiData, apiJson } from "./client";

/** Query keys of profiles. */
export const profileKeys = {
  all: ["profiles"] as const,
  one: (id: string) => ["profiles", id] as const,
};

/** Every profile the caller may manage, with counts by state. */
export function useProfiles() {
  return useQuery({
    queryKey: profileKeys.all,
    queryFn: () => apiData<Profile[]>("/profiles"),
    refetchInterval: 30_000,
  });
}

/** One profile. */
export function useProfile(id: string) {
  return useQuery({
    queryKey: profileKeys.one(id),
    queryFn: () => apiData<Profile>(`/profiles/${encodeURIComponent(id)}`),
  });
}

/** Creates a profile. */
export function useCreateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProfileBody) => apiData<Profile>("/profiles", { method: "POST", body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: profileKeys.all }),
  });
}

/** Updates name, description, sync enabled or concurrency. */
export function useUpdateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateProfileBody }) =>
      apiData<Profile>(`/profiles/${encodeURIComponent(id)}`, { method: "PATCH", body: patch }),
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
    mutationFn: (id: string) => apiJson<void>(`/profiles/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: (_v, id) => {
      qc.removeQueries({ queryKey: profileKeys.one(id) });
      return qc.invalidateQueries({ queryKey: profileKeys.all });
    },
  });
}
