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
import { wholeNumberError } from "../components/wholeNumber";
import { ListSkeleton } from "../components/Skeletons";
import type { Settings } from "../api/types";
import { useSettingsStyles } from "./settingsStyles";

/** The contract's limit (contract/settings.ts UpdateSettingsBody): a year. */
const MAX_OAUTH_STALE_HOURS = 8_760;

/** Alert webhook and thresholds (failure share, re-check interval, stale OAuth connections), with "Send test alert". */
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
  const [oauthStale, setOauthStale] = useState(String(settings.oauthStaleHours));
  const fields = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const oauthStaleError = wholeNumberError(oauthStale, 1, MAX_OAUTH_STALE_HOURS, "hours");

  const handleSave = (e: FormEvent) => {
    e.preventDefault();
    if (oauthStaleError) return;
    save.mutate(
      {
        alertWebhookUrl: webhook.trim() || null,
        alertFailureShare: Number(share) / 100,
        monitorIntervalMinutes: Number(interval),
        oauthStaleHours: Number(oauthStale),
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
      <Field
        label="Connect account connection stale after (hours)"
        hint="An OAuth (Connect account) connection with no successful token refresh for this long, while its profile is on, is shown in the overview and alerted (1-8,760)."
        validationMessage={fields.oauthStaleHours ?? oauthStaleError}
      >
        <Input
          type="number"
          min={1}
          max={MAX_OAUTH_STALE_HOURS}
          value={oauthStale}
          onChange={(_e, d) => setOauthStale(d.value)}
        />
      </Field>
      {save.error && !Object.keys(fields).length && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{errorMessage(save.error)}</MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.row}>
        <Button type="submit" appearance="primary" disabled={save.isPending || oauthStaleError !== undefined}>
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
