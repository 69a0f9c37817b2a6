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
import { useSaveSettings, useSettings, useTestAlert } from "../api/settings";
import { useNotify } from "../components/notify";
import { ListSkeleton } from "../components/Skeletons";
import type { Settings } from "../api/types";
import { useSettingsStyles } from "./settingsStyles";

/** Alert webhook and thresholds, with "Send test alert". */
export function AlertsCard() {
  const styles = useSettingsStyles();
  const settings = useSettings();
  return (
    <Card>
      <CardHeader
        header={
          <Text as="h2" weight="semibold" size={400}>
            Alerts
          </Text>
        }
        description={
          <Text className={styles.muted}>Where to post when a profile's checks start failing.</Text>
        }
      />
      {settings.isPending && <ListSkeleton rows={3} label="Loading settings" />}
      {settings.isError && (
        <MessageBar intent="error">
          <MessageBarBody>{errorMessage(settings.error)}</MessageBarBody>
        </MessageBar>
      )}
      {settings.data && <AlertsForm settings={settings.data} />}
    </Card>
  );
}

function AlertsForm({ settings }: { settings: Settings }) {
  const styles = useSettingsStyles();
  const save = useSaveSettings();
  const test = useTestAlert();
  const notify = useNotify();
  const [webhook, setWebhook] = useState(settings.alertWebhookUrl ?? "");
  const [share, setShare] = useState(String(Math.round(settings.alertFailureShare * 100)));
  const [interval, setIntervalMinutes] = useState(String(settings.monitorIntervalMinutes));
  const fields = save.error instanceof ApiError ? save.error.fieldErrors() : {};

  const handleSave = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      {
        alertWebhookUrl: webhook.trim() || null,
        alertFailureShare: Number(share) / 100,
        monitorIntervalMinutes: Number(interval),
      },
      {
        onSuccess: () => notify.success("Alert settings saved"),
        onError: (err) => !(err instanceof ApiError && err.status === 400) && notify.error(err),
      },
    );
  };

  return (
    <form className={styles.form} onSubmit={handleSave} noValidate>
      <Field
        label="Webhook URL"
        hint="An https:// address that accepts a JSON POST (Teams workflow, Slack, or your own). Leave empty for no alerts."
        validationMessage={fields.alertWebhookUrl}
      >
        <Input type="url" value={webhook} onChange={(_e, d) => setWebhook(d.value)} placeholder="https://" />
      </Field>
      <Field label="Alert when this share of checks fails (%)" validationMessage={fields.alertFailureShare}>
        <Input type="number" min={0} max={100} value={share} onChange={(_e, d) => setShare(d.value)} />
      </Field>
      <Field
        label="Re-check active users every (minutes, 0 = never)"
        validationMessage={fields.monitorIntervalMinutes}
      >
        <Input type="number" min={0} value={interval} onChange={(_e, d) => setIntervalMinutes(d.value)} />
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
        <Button
          disabled={test.isPending || !settings.alertWebhookUrl}
          onClick={() =>
            test.mutate(undefined, {
              onSuccess: () => notify.success("Test alert sent", "Check the channel behind the webhook."),
              onError: (err) => notify.error(err, "Test alert failed"),
            })
          }
        >
          Send test alert
        </Button>
      </div>
    </form>
  );
}
