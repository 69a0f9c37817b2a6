import { useState, type FormEvent } from "react";
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
import { ApiError, errorMessage } from "../api/client";
import { useCreateProfile, useUpdateProfile } from "../api/profiles";
import { useNotify } from "../components/notify";
import { wholeNumberError } from "../components/wholeNumber";

/** The contract's limits (contract/profiles.ts UpdateProfileBody). */
const MAX_STALLED_AFTER_HOURS = 720;

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

function ProfileForm({ profile, onClose, onCreated }: ProfileFormDialogProps) {
  const styles = useStyles();
  const create = useCreateProfile();
  const update = useUpdateProfile();
  const notify = useNotify();
  const [name, setName] = useState(profile?.name ?? "");
  const [description, setDescription] = useState(profile?.description ?? "");
  const [concurrency, setConcurrency] = useState(profile?.maxConcurrentConnections ?? 10);
  const [stalledHours, setStalledHours] = useState(String(profile?.stalledAfterHours ?? 24));
  const [stalledPercent, setStalledPercent] = useState(String(profile?.stalledAlertPercent ?? 10));
  const mutation = profile ? update : create;
  const fields = mutation.error instanceof ApiError ? mutation.error.fieldErrors() : {};
  const stalledHoursError = profile
    ? wholeNumberError(stalledHours, 1, MAX_STALLED_AFTER_HOURS, "hours")
    : undefined;
  const stalledPercentError = profile ? wholeNumberError(stalledPercent, 1, 100, "percent") : undefined;
  const invalid = !name.trim() || stalledHoursError !== undefined || stalledPercentError !== undefined;

  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (invalid) return;
    if (profile) {
      update.mutate(
        {
          id: profile.id,
          patch: {
            name: name.trim(),
            description: description.trim(),
            maxConcurrentConnections: concurrency,
            stalledAfterHours: Number(stalledHours),
            stalledAlertPercent: Number(stalledPercent),
          },
        },
        { onSuccess: () => (notify.success("Profile saved"), onClose()) },
      );
    } else {
      create.mutate(
        { name: name.trim(), description: description.trim() || undefined },
        {
          onSuccess: (p) => (
            notify.success("Profile created", `Add users to ${p.name} next.`),
            onClose(),
            onCreated?.(p)
          ),
        },
      );
    }
  };

  const generalError =
    mutation.error &&
    !Object.keys(fields).some((k) =>
      ["name", "description", "stalledAfterHours", "stalledAlertPercent"].includes(k),
    )
      ? errorMessage(mutation.error)
      : undefined;

  return (
    <DialogSurface aria-describedby={undefined}>
      <form onSubmit={handleSubmit} noValidate>
        <DialogBody>
          <DialogTitle>{profile ? "Edit profile" : "Create profile"}</DialogTitle>
          <DialogContent className={styles.form}>
            <Field
              label="Name"
              required
              validationMessage={fields.name ?? generalError}
              hint={
                profile
                  ? undefined
                  : "For example the office or Exchange organization these mailboxes belong to."
              }
            >
              <Input value={name} onChange={(_e, d) => setName(d.value)} maxLength={100} autoFocus />
            </Field>
            <Field label="Description" validationMessage={fields.description}>
              <Textarea
                value={description}
                onChange={(_e, d) => setDescription(d.value)}
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
                  value={concurrency}
                  min={1}
                  max={27}
                  onChange={(_e, d) => {
                    const next = d.value ?? Number(d.displayValue);
                    if (Number.isFinite(next)) setConcurrency(Math.min(27, Math.max(1, Math.round(next))));
                  }}
                />
              </Field>
            )}
            {profile && (
              <>
                <Field
                  label="Stalled after (hours)"
                  hint="An active mailbox counts as stalled when the sync service has sent no report for it this long while it reports for others (1-720; 24 by default)."
                  validationMessage={fields.stalledAfterHours ?? stalledHoursError}
                >
                  <Input
                    type="number"
                    min={1}
                    max={MAX_STALLED_AFTER_HOURS}
                    value={stalledHours}
                    onChange={(_e, d) => setStalledHours(d.value)}
                  />
                </Field>
                <Field
                  label="Alert when this share of mailboxes is stalled (%)"
                  hint="The profile's alert is raised when more than this share of its active mailboxes is stalled (1-100; 10 by default)."
                  validationMessage={fields.stalledAlertPercent ?? stalledPercentError}
                >
                  <Input
                    type="number"
                    min={1}
                    max={100}
                    value={stalledPercent}
                    onChange={(_e, d) => setStalledPercent(d.value)}
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
              disabled={invalid || mutation.isPending}
              icon={mutation.isPending ? <Spinner size="tiny" /> : undefined}
            >
              {profile ? "Save" : "Create"}
            </Button>
          </DialogActions>
        </DialogBody>
      </form>
    </DialogSurface>
  );
}
