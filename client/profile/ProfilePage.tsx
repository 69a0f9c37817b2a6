import { lazy, Suspense } from "react";
import {
  Breadcrumb,
  BreadcrumbButton,
  BreadcrumbDivider,
  BreadcrumbItem,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Tab,
  TabList,
  tokens,
} from "@fluentui/react-components";
import type { Me } from "../../contract/auth";
import { errorMessage } from "../api/client";
import { useProfile } from "../api/profiles";
import { navigate, type ProfileTab } from "../app/router";
import { accessTypeLabel } from "../components/accessTypeLabel";
import { PageHeader } from "../components/PageHeader";
import { ListSkeleton, PageSkeleton } from "../components/Skeletons";

const GeneralTab = lazy(() => import("./GeneralTab").then((m) => ({ default: m.GeneralTab })));
const UsersTab = lazy(() => import("../users/UsersTab").then((m) => ({ default: m.UsersTab })));
const ConnectivityTab = lazy(() =>
  import("../connectivity/ConnectivityTab").then((m) => ({ default: m.ConnectivityTab })),
);
const ProblemsView = lazy(() =>
  import("../problems/ProblemsView").then((m) => ({ default: m.ProblemsView })),
);
const ActivityTab = lazy(() => import("../activity/ActivityTab").then((m) => ({ default: m.ActivityTab })));

const useStyles = makeStyles({
  tabs: {
    marginBottom: tokens.spacingVerticalL,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
});

const tabLabels: Record<ProfileTab, string> = {
  general: "General",
  users: "Users",
  problems: "Problems",
  connectivity: "Connectivity",
  activity: "Activity",
};

/** One profile: General, Users, Connectivity and Activity tabs (the tab is part of the URL). */
export function ProfilePage({ profileId, tab, me }: { profileId: string; tab: ProfileTab; me: Me }) {
  const styles = useStyles();
  const profile = useProfile(profileId);

  if (profile.isPending) return <PageSkeleton />;
  if (profile.isError) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>Couldn't open this profile: {errorMessage(profile.error)}</MessageBarBody>
      </MessageBar>
    );
  }
  const p = profile.data;

  return (
    <>
      <PageHeader
        before={
          <Breadcrumb aria-label="Breadcrumb" size="small">
            <BreadcrumbItem>
              <BreadcrumbButton onClick={() => navigate({ page: "profiles" })}>Profiles</BreadcrumbButton>
            </BreadcrumbItem>
            <BreadcrumbDivider />
            <BreadcrumbItem>
              <BreadcrumbButton current>{p.name}</BreadcrumbButton>
            </BreadcrumbItem>
          </Breadcrumb>
        }
        title={p.name}
        subtitle={`${p.accessType ? accessTypeLabel(p.accessType) : "Mailbox access not set up yet"} · ${p.syncEnabled ? "Sync on" : "Sync paused"}`}
      />
      <TabList
        className={styles.tabs}
        selectedValue={tab}
        onTabSelect={(_e, data) =>
          navigate({ page: "profile", profileId, tab: data.value as ProfileTab }, { replace: true })
        }
        aria-label="Profile sections"
      >
        {(Object.keys(tabLabels) as ProfileTab[]).map((t) => (
          <Tab key={t} value={t} id={`profile-tab-${t}`}>
            {tabLabels[t]}
          </Tab>
        ))}
      </TabList>
      <div role="tabpanel" aria-labelledby={`profile-tab-${tab}`}>
        <Suspense fallback={<ListSkeleton rows={6} />}>
          {tab === "general" && <GeneralTab profile={p} me={me} />}
          {tab === "users" && <UsersTab profileId={profileId} />}
          {tab === "problems" && <ProblemsView profileId={profileId} />}
          {tab === "connectivity" && <ConnectivityTab profileId={profileId} />}
          {tab === "activity" && <ActivityTab profileId={profileId} />}
        </Suspense>
      </div>
    </>
  );
}
