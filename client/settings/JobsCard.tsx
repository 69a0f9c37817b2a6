import { useState, type FormEvent } from "react";
import {
  Button,
  Card,
  CardHeader,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Text,
} from "@fluentui/react-components";
import { ApiError, errorMessage } from "../api/client";
import { useSaveSettings, useSettings } from "../api/settings";
import { useNotify } from "../components/notify";
import { ListSkeleton } from "../components/Skeletons";
import type { Settings } from "../api/types";
import { useSettingsStyles } from "./settingsStyles";

/** Bulk jobs: the deadline after which a job still waiting on a busy Exchange stops. */
export function JobsCard() {
  const styles = useSettingsStyles();
  const settings = useSettings();
  return (
    <Card>
      <CardHeader
        header={
          <Text as="h2" weight="semibold" size={400}>
            Bulk jobs
          </Text>
        }
        description={
          <Text className={styles.muted}>
            When Exchange answers “server busy”, activations and re-checks wait and go on by themselves; this
            is how long they may run in all.
          </Text>
        }
      />
      {settings.isPending && <ListSkeleton rows={1} label="Loading settings" />}
      {settings.isError && (
        <MessageBar intent="error">
          <MessageBarBody>{errorMessage(settings.error)}</MessageBarBody>
        </MessageBar>
      )}
      {settings.data && <JobsForm settings={settings.data} />}
    </Card>
  );
}

function JobsForm({ settings }: { settings: Settings }) {
  const styles = useSettingsStyles();
  const save = useSaveSettings();
  const notify = useNotify();
  const [hours, setHours] = useState(String(settings.jobsDeadlineHours));
  const fields = save.error instanceof ApiError ? save.error.fieldErrors() : {};

  const handleSave = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      { jobsDeadlineHours: Number(hours) },
      {
        onSuccess: () => notify.success("Job settings saved"),
        onError: (err) => !(err instanceof ApiError && err.status === 400) && notify.error(err),
      },
    );
  };

  return (
    <form className={styles.form} onSubmit={handleSave} noValidate>
      <Field
        label="Job deadline (hours after it started)"
        hint="A job still running then stops; its users not yet checked return to the state they had."
        validationMessage={fields.jobsDeadlineHours}
      >
        <Input type="number" min={1} max={720} value={hours} onChange={(_e, d) => setHours(d.value)} />
      </Field>
      {save.error && !Object.keys(fields).length && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{errorMessage(save.error)}</MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.row}>
        <Button type="submit" appearance="primary" disabled={save.isPending}>
          Save
        </Button>
      </div>
    </form>
  );
}
