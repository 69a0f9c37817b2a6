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

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

interface ProfileFormDialogProps {
  open: boolean;
  profile?: Profile;
  onClose: () => void;
  onCreated?: (p: Profile) => void;
}

/** Creates a profile (no `profile`) or edits one's name, description and concurrency. */
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
  const mutation = profile ? update : create;
  const fields = mutation.error instanceof ApiError ? mutation.error.fieldErrors() : {};

  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    if (profile) {
      update.mutate(
        {
          id: profile.id,
          patch: {
            name: name.trim(),
            description: description.trim(),
            maxConcurrentConnections: concurrency,
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
    mutation.error && !Object.keys(fields).some((k) => k === "name" || k === "description")
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
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              appearance="primary"
              disabled={!name.trim() || mutation.isPending}
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
