import { Button, Text, Tooltip, makeStyles, tokens } from "@fluentui/react-components";
import { Checkmark16Regular, Copy16Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { splitRemediation } from "./remediation";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  block: {
    position: "relative",
    backgroundColor: tokens.colorNeutralBackground3,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  code: {
    margin: 0,
    padding: `${tokens.spacingVerticalS} 40px ${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    wordBreak: "break-word",
    color: tokens.colorNeutralForeground1,
  },
  copy: { position: "absolute", top: tokens.spacingVerticalXXS, right: tokens.spacingHorizontalXXS },
});

function CopyButton({ text }: { text: string }) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  const handleCopy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  const label = copied ? "Copied" : "Copy PowerShell";
  return (
    <Tooltip content={label} relationship="label">
      <Button
        className={styles.copy}
        size="small"
        appearance="subtle"
        icon={copied ? <Checkmark16Regular /> : <Copy16Regular />}
        onClick={() => void handleCopy()}
      />
    </Tooltip>
  );
}

/**
 * Remediation an Exchange admin can act on: prose, and PowerShell snippets in code blocks with a copy button.
 * @example <RemediationText text={step.remediation} />
 */
export function RemediationText({ text }: { text: string }) {
  const styles = useStyles();
  return (
    <div className={styles.root}>
      {splitRemediation(text).map((part, i) =>
        part.kind === "code" ? (
          <div key={i} className={styles.block}>
            <pre className={styles.code}>
              <code>{part.text}</code>
            </pre>
            <CopyButton text={part.text} />
          </div>
        ) : (
          <Text key={i} as="p" block style={{ margin: 0, whiteSpace: "pre-wrap" }}>
            {part.text}
          </Text>
        ),
      )}
    </div>
  );
}
