import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, apiData } from "./client";
import type { CreateServiceKeyBody } from "./types";

/** Query keys of service keys. */
export const serviceKeyKeys = { all: ["service-keys"] as const };

/** Every service key (revoked ones included, so the list explains why a sync service stopped working). */
export function useServiceKeys() {
  return useQuery({ queryKey: serviceKeyKeys.all, queryFn: () => apiData("GET /service-keys") });
}

/** Creates a key; the answer is the only time the key itself (`key`) is ever sent. */
export function useCreateServiceKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateServiceKeyBody) => apiData("POST /service-keys", { body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: serviceKeyKeys.all }),
  });
}

/** Revokes a key: the sync service holding it is refused (401) from then on. */
export function useRevokeServiceKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api("DELETE /service-keys/:id", { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: serviceKeyKeys.all }),
  });
}
