import { useEffect, useSyncExternalStore } from "react";
import { entraStore, startEntraSession, type EntraState } from "./entra-session";

const subscribe = (listener: () => void) => entraStore.subscribe(listener);
const getSnapshot = () => entraStore.getSnapshot();

/**
 * The page's Entra sign-in state; starts it on first use (lazy: MSAL and teams-js load only then).
 * @example const entra = useEntraSignIn(); if (entra.status === "loading") return <PageSkeleton />;
 */
export function useEntraSignIn(): EntraState {
  const state = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  useEffect(() => {
    void startEntraSession();
  }, []);
  return state;
}
