import type { ReactNode } from "react";
import { useEntraSignIn } from "./useEntraSignIn";

/**
 * Renders `fallback` until Entra sign-in has started (the token source is installed), then `children`.
 * Wrap the part of the app that calls the API, so its first `/auth/me` already carries the token.
 * @example <EntraSignInGate fallback={<PageSkeleton />}><AppRoutes host={host.host} /></EntraSignInGate>
 */
export function EntraSignInGate({
  children,
  fallback = null,
}: {
  children: ReactNode;
  fallback?: ReactNode;
}) {
  const entra = useEntraSignIn();
  return <>{entra.status === "loading" ? fallback : children}</>;
}
