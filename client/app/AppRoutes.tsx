import { lazy, Suspense } from "react";
import { useMe } from "../api/auth";
import { PageSkeleton } from "../components/Skeletons";
import { EntraSignInGate } from "../host/EntraSignInGate";
import { AppShell } from "./AppShell";
import { NotFoundPage } from "./NotFoundPage";
import { useRoute } from "./router";
import type { HostName } from "./useHost";

const ProfilesPage = lazy(() =>
  import("../profiles/ProfilesPage").then((m) => ({ default: m.ProfilesPage })),
);
const ProfilePage = lazy(() => import("../profile/ProfilePage").then((m) => ({ default: m.ProfilePage })));
const SettingsPage = lazy(() =>
  import("../settings/SettingsPage").then((m) => ({ default: m.SettingsPage })),
);
const ProblemsPage = lazy(() =>
  import("../problems/ProblemsPage").then((m) => ({ default: m.ProblemsPage })),
);
const SignInPage = lazy(() => import("../signin/SignInPage").then((m) => ({ default: m.SignInPage })));
const SetupPage = lazy(() => import("../signin/SetupPage").then((m) => ({ default: m.SetupPage })));

/**
 * Waits until Entra sign-in has installed its token source (so the first API call carries the token),
 * then routes.
 */
export function AppRoutes({ host }: { host: HostName }) {
  return (
    <EntraSignInGate fallback={<PageSkeleton />}>
      <Routes host={host} />
    </EntraSignInGate>
  );
}

/** Picks the page for the URL; signed-out visitors get the sign-in form (or the first-admin setup). */
function Routes({ host }: { host: HostName }) {
  const route = useRoute();
  const me = useMe();

  if (route.page === "setup") {
    return (
      <Suspense fallback={<PageSkeleton />}>
        <SetupPage token={route.token} />
      </Suspense>
    );
  }
  if (me.isPending) return <PageSkeleton />;
  if (!me.data) {
    return (
      <Suspense fallback={<PageSkeleton />}>
        <SignInPage loadError={me.error} host={host} />
      </Suspense>
    );
  }

  return (
    <AppShell me={me.data} route={route}>
      <Suspense fallback={<PageSkeleton />}>
        {route.page === "profiles" && <ProfilesPage me={me.data} />}
        {route.page === "profile" && <ProfilePage profileId={route.profileId} tab={route.tab} me={me.data} />}
        {route.page === "settings" && <SettingsPage me={me.data} />}
        {route.page === "problems" && <ProblemsPage />}
        {route.page === "not-found" && <NotFoundPage />}
      </Suspense>
    </AppShell>
  );
}
