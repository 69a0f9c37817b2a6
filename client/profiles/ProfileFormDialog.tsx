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
  SpinButton,
  Spinner,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import type { Profile } from "../../contract/profiles";
import { MAX_STALLED_AFTER_HOURS, useProfileForm } from "./useProfileForm";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

interface ProfileFormDialogProps {
  open: boolean;
  profile?: Profile;
  onClose: () => void;
  onCreated?: (p: Profile) => void;
}

/**
 * Creates a profile (no `profile`) or edits one's name, description, concurrency and stalled-sync
 * settings (threshold and alert share).
 */
export function ProfileFormDialog(props: ProfileFormDialogProps) {
  return (
    <Dialog open={props.open} onOpenChange={(_e, d) => !d.open && props.onClose()}>
      {/* The surface unmounts while closed, so each opening starts with fresh fields and no old error. */}
      <ProfileForm {...props} />
    </Dialog>
  );
}

/** The form inside the dialog: markup over useProfileForm. */
function ProfileForm({ profile, onClose, onCreated }: ProfileFormDialogProps) {
  const styles = useStyles();
  const form = useProfileForm({ profile, onClose, onCreated });

  return (
    <DialogSurface aria-describedby={undefined}>
      <form onSubmit={form.handleSubmit} noValidate>
        <DialogBody>
          <DialogTitle>{profile ? "Edit profile" : "Create profile"}</DialogTitle>
          <DialogContent className={styles.form}>
            <Field
              label="Name"
              required
              validationMessage={form.problems.name}
              hint={
                profile
                  ? undefined
                  : "For example the office or Exchange organization these mailboxes belong to."
              }
            >
              <Input
                value={form.name}
                onChange={(_e, d) => form.setName(d.value)}
                maxLength={100}
                autoFocus
              />
            </Field>
            <Field label="Description" validationMessage={form.problems.description}>
              <Textarea
                value={form.description}
                onChange={(_e, d) => form.setDescription(d.value)}
                maxLength={1000}
                resize="vertical"
              />
            </Field>
            {profile && (
              <Field
                label="Max concurrent connections"
                hint="How many mailboxes are checked at once against Exchange (1-27; Exchange allows 27)."
              >
                <SpinButton
                  value={form.concurrency}
                  min={1}
                  max={27}
                  onChange={(_e, d) => form.changeConcurrency(d.value, d.displayValue)}
                />
              </Field>
            )}
            {profile && (
              <>
                <Field
                  label="Stalled after (hours)"
                  hint="An active mailbox counts as stalled when the sync service has sent no report for it this long while it reports for others (1-720; 24 by default)."
                  validationMessage={form.problems.stalledAfterHours}
                >
                  <Input
                    type="number"
                    min={1}
                    max={MAX_STALLED_AFTER_HOURS}
                    value={form.stalledHours}
                    onChange={(_e, d) => form.setStalledHours(d.value)}
                  />
                </Field>
                <Field
                  label="Alert when this share of mailboxes is stalled (%)"
                  hint="The profile's alert is raised when more than this share of its active mailboxes is stalled (1-100; 10 by default)."
                  validationMessage={form.problems.stalledAlertPercent}
                >
                  <Input
                    type="number"
                    min={1}
                    max={100}
                    value={form.stalledPercent}
                    onChange={(_e, d) => form.setStalledPercent(d.value)}
                  />
                </Field>
              </>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              appearance="primary"
              disabled={form.invalid || form.pending}
              icon={form.pending ? <Spinner size="tiny" /> : undefined}
            >
              {profile ? "Save" : "Create"}
            </Button>
          </DialogActions>
        </DialogBody>
      </form>
    </DialogSurface>
  );
}
