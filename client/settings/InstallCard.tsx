import { useState } from "react";
import {
  Button,
  Caption1,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowClockwiseRegular,
  ArrowDownloadRegular,
  Checkmark16Regular,
  Copy16Regular,
} from "@fluentui/react-icons";
import { errorMessage } from "../api/client";
import { useEntraAppRegistration, useSetupCheck } from "../api/settings";
import type { EntraAppRegistration } from "../api/types";
import { SetupCheckList } from "./SetupCheckList";
import { useSettingsStyles } from "./settingsStyles";

const useStyles = makeStyles({
  card: { gridColumn: "1 / -1" },
  values: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  value: { margin: 0, fontFamily: tokens.fontFamilyMonospace, overflowWrap: "anywhere" },
  code: {
    margin: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground3,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    wordBreak: "break-word",
    maxHeight: "320px",
    overflowY: "auto",
  },
});

function ValuesInUse({ values }: { values: EntraAppRegistration["values"] }) {
  const styles = useStyles();
  const rows: Array<[string, string]> = [
    ["BASE_URL", values.baseUrl],
    ["Client id", values.clientId ?? "not set (ENTRA_CLIENT_ID)"],
    ["Tenants", values.tenantIds.join(", ") || "none (ENTRA_ALLOWED_TENANTS)"],
    ["Application ID URI", values.applicationIdUri ?? "after registration"],
    ["Scope", values.scope ?? "after registration"],
    ["Authority", values.authority],
    ["SPA redirects", values.spaRedirectUris.join("  ")],
    ["Web redirect", values.webRedirectUris.join("  ")],
  ];
  return (
    <dl className={styles.values} aria-label="Values in use">
      {rows.map(([name, value]) => (
        <div key={name} style={{ display: "contents" }}>
          <dt>
            <Caption1>{name}</Caption1>
          </dt>
          <dd className={styles.value}>
            <Caption1>{value}</Caption1>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function useScriptActions(script: string | undefined) {
  const [copied, setCopied] = useState(false);
  const handleCopy = async () => {
    if (!script) return;
    try {
      await navigator.clipboard.writeText(script);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  const handleDownload = () => {
    if (!script) return;
    const url = URL.createObjectURL(new Blob([script], { type: "text/plain" }));
    const link = Object.assign(document.createElement("a"), {
      href: url,
      download: "register-entra-app.ps1",
    });
    link.click();
    URL.revokeObjectURL(url);
  };
  return { copied, handleCopy, handleDownload };
}

/**
 * Install in Microsoft 365 (platform admins): the values in use, the setup check with what to fix, and
 * the PowerShell that registers the Entra app, with copy and download.
 */
export function InstallCard() {
  const styles = useStyles();
  const shared = useSettingsStyles();
  const check = useSetupCheck();
  const registration = useEntraAppRegistration();
  const { copied, handleCopy, handleDownload } = useScriptActions(registration.data?.powershell);
  const failed = check.data?.items.filter((i) => i.status === "failed").length ?? 0;

  return (
    <Card className={styles.card}>
      <CardHeader
        header={
          <Text as="h2" weight="semibold" size={400}>
            Install in Microsoft 365
          </Text>
        }
        description={
          <Text className={shared.muted}>
            Register the Entra app with the script, set the ENTRA_* lines it prints, download the app package
            above and upload it. The check names any step that was missed.
          </Text>
        }
      />
      {registration.data && <ValuesInUse values={registration.data.values} />}

      <div className={shared.row}>
        <Text weight="semibold">Setup check</Text>
        {check.data && (
          <Caption1 className={shared.muted} aria-live="polite">
            {failed === 0 ? "Nothing failed." : `${failed} to fix.`} Checked{" "}
            {new Date(check.data.checkedAt).toLocaleTimeString()}.
          </Caption1>
        )}
        <Button
          size="small"
          icon={check.isFetching ? <Spinner size="extra-tiny" /> : <ArrowClockwiseRegular />}
          disabled={check.isFetching}
          onClick={() => void check.refetch()}
        >
          Check again
        </Button>
      </div>
      {check.isError && (
        <MessageBar intent="error">
          <MessageBarBody>{errorMessage(check.error)}</MessageBarBody>
        </MessageBar>
      )}
      {check.isPending && <Spinner size="small" label="Checking the install path…" />}
      {check.data && <SetupCheckList items={check.data.items} />}

      <div className={shared.row}>
        <Text weight="semibold" id="entra-script-title">
          Register the app (Microsoft Graph PowerShell)
        </Text>
        <Button
          size="small"
          icon={copied ? <Checkmark16Regular /> : <Copy16Regular />}
          disabled={!registration.data}
          onClick={() => void handleCopy()}
        >
          {copied ? "Copied" : "Copy script"}
        </Button>
        <Button
          size="small"
          icon={<ArrowDownloadRegular />}
          disabled={!registration.data}
          onClick={handleDownload}
        >
          Download .ps1
        </Button>
      </div>
      <Caption1 className={shared.muted}>
        Run it in PowerShell 7 as an Application Administrator. It creates the registration or updates the one
        named by ENTRA_CLIENT_ID, keeping what is there. Also: npm run entra:app.
      </Caption1>
      {registration.isError && (
        <MessageBar intent="error">
          <MessageBarBody>{errorMessage(registration.error)}</MessageBarBody>
        </MessageBar>
      )}
      {registration.data && (
        <pre className={styles.code} tabIndex={0} aria-labelledby="entra-script-title">
          <code>{registration.data.powershell}</code>
        </pre>
      )}
    </Card>
  );
}
