import { useState } from "react";
import { Button, Card, CardHeader, Text } from "@fluentui/react-components";
import { ArrowDownloadRegular } from "@fluentui/react-icons";
import { downloadAppPackage } from "../api/settings";
import { useNotify } from "../components/notify";
import { useSettingsStyles } from "./settingsStyles";

/** Downloads the Teams/Outlook app package to upload in the Teams admin center or sideload. */
export function AppPackageCard() {
  const styles = useSettingsStyles();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);

  const handleDownload = async () => {
    setBusy(true);
    try {
      await downloadAppPackage();
      notify.success("App package downloaded", "Upload it in the Teams admin center, or sideload it to try it.");
    } catch (err) {
      notify.error(err, "Couldn't download the app package");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <CardHeader header={<Text as="h2" weight="semibold" size={400}>App package</Text>} description={<Text className={styles.muted}>Put the panel in Teams, Outlook and Microsoft 365.</Text>} />
      <div className={styles.row}>
        <Button icon={<ArrowDownloadRegular />} disabled={busy} onClick={() => void handleDownload()}>
          Download app package
        </Button>
      </div>
    </Card>
  );
}
