import { useEffect, useRef } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { DocumentArrowUpRegular } from "@fluentui/react-icons";
import { MAX_IMPORT_LINES } from "../../contract/users";
import { errorMessage } from "../api/client";
import type { AddUsersResult } from "../api/types";
import { useAddUsersForm } from "./useAddUsersForm";
import { plural } from "../components/plural";

const useStyles = makeStyles({
  surface: { maxWidth: "640px", width: "100%" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  drop: { borderRadius: tokens.borderRadiusMedium, outline: `${tokens.strokeWidthThick} dashed transparent` },
  dropActive: { outline: `${tokens.strokeWidthThick} dashed ${tokens.colorBrandStroke1}` },
  textarea: { minHeight: "180px", fontFamily: tokens.fontFamilyMonospace },
  fileRow: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
  list: {
    maxHeight: "200px",
    overflowY: "auto",
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    fontSize: tokens.fontSizeBase200,
  },
  summary: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
});

/** Most result lines listed per kind; the rest are counted. */
const SHOWN = 100;

function ResultView({ result }: { result: AddUsersResult }) {
  const styles = useStyles();
  return (
    <div className={styles.summary} aria-live="polite">
      <MessageBar intent={result.invalid.length ? "warning" : "success"}>
        <MessageBarBody>
          {result.added.toLocaleString()} added · {plural(result.duplicates.length, "duplicate")} ·{" "}
          {result.invalid.length.toLocaleString()} invalid
        </MessageBarBody>
      </MessageBar>
      {result.invalid.length > 0 && (
        <section aria-label="Invalid lines">
          <Text weight="semibold">Invalid lines (fix them and add again)</Text>
          <ul className={styles.list}>
            {result.invalid.slice(0, SHOWN).map((i) => (
              <li key={i.line}>
                Line {i.line}: <code>{i.input || "(empty)"}</code> — {i.reason}
              </li>
            ))}
            {result.invalid.length > SHOWN && (
              <li>…and {(result.invalid.length - SHOWN).toLocaleString()} more</li>
            )}
          </ul>
        </section>
      )}
      {result.duplicates.length > 0 && (
        <section aria-label="Duplicate lines">
          <Text weight="semibold">Already added (skipped)</Text>
          <ul className={styles.list}>
            {result.duplicates.slice(0, SHOWN).map((d) => (
              <li key={d.line}>
                Line {d.line}: {d.address}
              </li>
            ))}
            {result.duplicates.length > SHOWN && (
              <li>…and {(result.duplicates.length - SHOWN).toLocaleString()} more</li>
            )}
          </ul>
        </section>
      )}
    </div>
  );
}

/** Adds users by pasting addresses or dropping/choosing a CSV (header `address,displayName` optional). */
export function AddUsersDialog({
  profileId,
  open,
  onClose,
}: {
  profileId: string;
  open: boolean;
  onClose: () => void;
}) {
  const styles = useStyles();
  const form = useAddUsersForm(profileId, onClose);
  const fileInput = useRef<HTMLInputElement>(null);
  const { lines, fileName } = form;
  const done = useRef<HTMLButtonElement>(null);
  // The Add button is gone with the result: focus goes to Done, not to the page, so Enter or Escape closes.
  useEffect(() => {
    if (form.result) done.current?.focus();
  }, [form.result]);

  return (
    <Dialog open={open} onOpenChange={(_e, d) => !d.open && form.close()}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>Add users</DialogTitle>
          <DialogContent className={styles.content}>
            {form.result ? (
              <ResultView result={form.result} />
            ) : (
              <>
                <Text className={styles.muted}>
                  Paste one address per line, or a CSV with the columns address and displayName (comma or
                  semicolon). Up to {MAX_IMPORT_LINES.toLocaleString()} lines.
                </Text>
                <div
                  className={form.dragging ? `${styles.drop} ${styles.dropActive}` : styles.drop}
                  onDragOver={form.dragOver}
                  onDragLeave={form.dragLeave}
                  onDrop={form.drop}
                >
                  <Field
                    label="Addresses"
                    hint={
                      lines
                        ? `${plural(lines, "line")}${fileName ? ` from ${fileName}` : ""}`
                        : "You can also drop a CSV file here."
                    }
                  >
                    <Textarea
                      textarea={{ className: styles.textarea }}
                      value={form.text}
                      onChange={(_e, d) => form.setText(d.value)}
                      placeholder={"megan.bowen@contoso.com\nalex.wilber@contoso.com, Alex Wilber"}
                      resize="vertical"
                      // Back here after "Add more" (and first on opening, as the dialog would anyway).
                      autoFocus
                    />
                  </Field>
                </div>
                <div className={styles.fileRow}>
                  <Button icon={<DocumentArrowUpRegular />} onClick={() => fileInput.current?.click()}>
                    Choose CSV file
                  </Button>
                  <input
                    ref={fileInput}
                    type="file"
                    accept=".csv,.txt,text/csv,text/plain"
                    hidden
                    aria-label="CSV file"
                    onChange={(e) => {
                      const file = e.target.files?.[0];
                      if (file) void form.readFile(file);
                      e.target.value = "";
                    }}
                  />
                  {fileName && <Text className={styles.muted}>{fileName}</Text>}
                </div>
                {form.error && (
                  <MessageBar intent="error" role="alert">
                    <MessageBarBody>{errorMessage(form.error)}</MessageBarBody>
                  </MessageBar>
                )}
              </>
            )}
          </DialogContent>
          <DialogActions>
            {form.result ? (
              <>
                <Button onClick={form.reset}>Add more</Button>
                <Button appearance="primary" onClick={form.close} ref={done}>
                  Done
                </Button>
              </>
            ) : (
              <>
                <Button onClick={form.close}>Cancel</Button>
                <Button
                  appearance="primary"
                  disabled={!form.canSubmit}
                  onClick={form.submit}
                  icon={form.pending ? <Spinner size="tiny" /> : undefined}
                >
                  {lines ? `Add ${plural(lines, "user")}` : "Add users"}
                </Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
