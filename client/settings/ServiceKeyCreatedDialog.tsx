import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  tokens,
} from "@fluentui/react-components";
import { CopyRegular } from "@fluentui/react-icons";
import type { CreatedServiceKey } from "../api/types";
import { useNotify } from "../components/notify";
import { usageLines } from "./serviceKeyText";

const useStyles = makeStyles({
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  keyRow: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
  keyInput: { flexGrow: 1, minWidth: 0, fontFamily: tokens.fontFamilyMonospace },
  usage: {
    margin: 0,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase300,
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
  },
});

/**
 * Shows a just-created key once, with a copy button and how the sync service sends it. The server
 * keeps only a hash: closing this dialog is the last chance to copy the key.
 */
export function ServiceKeyCreatedDialog({
  created,
  onClose,
}: {
  created: CreatedServiceKey | null;
  onClose: () => void;
}) {
  const styles = useStyles();
  const notify = useNotify();

  const handleCopy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      notify.success("Key copied", "Paste it into the sync service's configuration.");
    } catch (err) {
      notify.error(err, "Couldn't copy: select the key and copy it by hand");
    }
  };

  // One line per endpoint: the EWS gateway's path serves ews:read and ews:write alike.
  const lines = usageLines.filter(
    (l, i) =>
      created?.scopes.includes(l.scope) &&
      !usageLines.slice(0, i).some((e) => e.path === l.path && created.scopes.includes(e.scope)),
  );
  const prefix = created ? `${created.key.slice(0, 8)}…` : "msk_…";
  const usage = [`Authorization: Bearer ${prefix}`, "", ...lines.map((l) => `${l.method} ${l.path}`)].join(
    "\n",
  );

  return (
    <Dialog open={Boolean(created)} modalType="alert" onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby="service-key-once">
        <DialogBody>
          <DialogTitle>Copy the key for “{created?.name}”</DialogTitle>
          <DialogContent className={styles.content}>
            <MessageBar intent="warning" layout="multiline" id="service-key-once">
              <MessageBarBody>
                <MessageBarTitle>You won't see this key again</MessageBarTitle>
                The server keeps only a fingerprint of it. Copy it now into the sync service's configuration;
                if it is lost, create a new key and revoke this one.
              </MessageBarBody>
            </MessageBar>
            <Field label="Service key">
              <div className={styles.keyRow}>
                <Input
                  className={styles.keyInput}
                  value={created?.key ?? ""}
                  readOnly
                  onFocus={(e) => e.currentTarget.select()}
                  data-testid="created-service-key"
                />
                <Button appearance="primary" icon={<CopyRegular />} onClick={() => void handleCopy()}>
                  Copy
                </Button>
              </div>
            </Field>
            <div>
              <Text as="h3" weight="semibold" block>
                How the sync service uses it
              </Text>
              <Text as="p" block>
                It sends the key as a bearer token on every request to this server's sync interface:
              </Text>
              <pre className={styles.usage} aria-label="Example requests">
                {usage}
              </pre>
            </div>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose}>
              I've copied it, close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
