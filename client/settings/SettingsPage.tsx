import type { Me } from "../../contract/auth";
import { EmptyState } from "../components/EmptyState";
import { PageHeader } from "../components/PageHeader";
import { AccountCard } from "./AccountCard";
import { AdminsCard } from "./AdminsCard";
import { AlertsCard } from "./AlertsCard";
import { AppPackageCard } from "./AppPackageCard";
import { InstallCard } from "./InstallCard";
import { ServiceKeysCard } from "./ServiceKeysCard";
import { useSettingsStyles } from "./settingsStyles";

/** Settings for platform admins: admins, my account, alerts, app package, sync service keys. */
export function SettingsPage({ me }: { me: Me }) {
  const styles = useSettingsStyles();
  if (!me.platformAdmin) {
    return (
      <EmptyState title="Settings are for platform admins">
        Ask a platform admin to change these settings.
      </EmptyState>
    );
  }
  return (
    <>
      <PageHeader
        title="Settings"
        subtitle="Admins, alerts, the app package, sync service keys and the install in Microsoft 365."
      />
      <div className={styles.grid}>
        <AdminsCard me={me} />
        {me.kind === "local" && <AccountCard />}
        <AlertsCard />
        <AppPackageCard />
        <ServiceKeysCard />
        <InstallCard />
      </div>
    </>
  );
}
