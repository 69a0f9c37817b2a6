import { useState } from "react";
import {
  Button,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
} from "@fluentui/react-components";
import { ArrowDownloadRegular } from "@fluentui/react-icons";
import { ApiError, errorMessage } from "../api/client";
import { downloadAppPackage } from "../api/settings";
import { useNotify } from "../components/notify";
import { useSettingsStyles } from "./settingsStyles";

/** Downloads the Teams/Outlook app package to upload in the Teams admin center or sideload. */
export function AppPackageCard() {
  const styles = useSettingsStyles();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const details =
    failure instanceof ApiError && Array.isArray(failure.details)
      ? failure.details.filter((d): d is string => typeof d === "string")
      : [];

  const handleDownload = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await downloadAppPackage();
      notify.success(
        "App package downloaded",
        "Upload it in the Teams admin center, or sideload it to try it.",
      );
    } catch (err) {
      // Shown in the card, not a toast: the reasons (missing configuration) take a moment to read.
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <CardHeader
        header={
          <Text as="h2" weight="semibold" size={400}>
            App package
          </Text>
        }
        description={<Text className={styles.muted}>Put the panel in Teams, Outlook and Microsoft 365.</Text>}
      />
      {failure != null && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Couldn't build the app package</MessageBarTitle>
            {errorMessage(failure)}
            {details.length > 0 && (
              <ul>
                {details.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.row}>
        <Button icon={<ArrowDownloadRegular />} disabled={busy} onClick={() => void handleDownload()}>
          Download app package
        </Button>
      </div>
    </Card>
  );
}
