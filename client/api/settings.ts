import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiData, downloadFile } from "./client";
import type { UpdateSettingsBody } from "./types";

/** Query keys of settings. */
export const settingsKeys = {
  all: ["settings"] as const,
  setupCheck: ["settings", "setup-check"] as const,
  entraApp: ["settings", "entra-app-registration"] as const,
};

/** Platform settings (alerts, intervals). */
export function useSettings() {
  return useQuery({
    queryKey: settingsKeys.all,
    queryFn: () => apiData("GET /settings"),
    retry: false,
  });
}

/** Saves platform settings. */
export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateSettingsBody) => apiData("PUT /settings", { body: patch }),
    onSuccess: (data) => qc.setQueryData(settingsKeys.all, data),
  });
}

/** Sends a test alert to the webhook. */
export function useTestAlert() {
  return useMutation({
    mutationFn: () => apiData("POST /settings/alerts/test", { body: {} }),
  });
}

/** Downloads the sideload app package. */
export function downloadAppPackage(): Promise<void> {
  return downloadFile("GET /app-package", "appPackage.zip");
}

/** The setup check; runs when the card opens and again on refetch (the authority is asked each time). */
export function useSetupCheck() {
  return useQuery({
    queryKey: settingsKeys.setupCheck,
    queryFn: () => apiData("GET /setup-check"),
    retry: false,
    staleTime: Infinity,
  });
}

/** The Entra app registration script and the values in use. */
export function useEntraAppRegistration() {
  return useQuery({
    queryKey: settingsKeys.entraApp,
    queryFn: () => apiData("GET /entra-app-registration"),
    retry: false,
    staleTime: Infinity,
  });
}
