import { Button, Caption1, Text, makeStyles, tokens } from "@fluentui/react-components";
import { Checkmark16Regular, Copy16Regular } from "@fluentui/react-icons";
import { useState } from "react";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "760px" },
  header: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
  },
  muted: { color: tokens.colorNeutralForeground3 },
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
    maxHeight: "360px",
    overflowY: "auto",
  },
});

/**
 * The RBAC for Applications PowerShell the server generated for the saved app (its ids filled in), with a
 * copy button: service principal, management scope, scoped role assignments, the check, and for EWS the
 * tenant's EWS allow list.
 * @example <SetupScriptPanel script={stored.setupScript} />
 */
export function SetupScriptPanel({ script }: { script: string }) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  const handleCopy = async () => {
    try {
      await navigator.clipboard.writeText(script);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section className={styles.root} aria-labelledby="app-only-script-title">
      <div className={styles.header}>
        <Text id="app-only-script-title" weight="semibold">
          Scope the app with RBAC for Applications
        </Text>
        <Button
          size="small"
          icon={copied ? <Checkmark16Regular /> : <Copy16Regular />}
          onClick={() => void handleCopy()}
        >
          {copied ? "Copied" : "Copy PowerShell"}
        </Button>
      </div>
      <Caption1 className={styles.muted}>
        Run it in Exchange Online PowerShell instead of granting tenant-wide admin consent: the app then
        reaches only the group's mailboxes, and its token's roles claim stays empty.
      </Caption1>
      <pre className={styles.code} tabIndex={0} aria-label="PowerShell to scope the app">
        <code>{script}</code>
      </pre>
    </section>
  );
}
