import {
  Button,
  Card,
  CardHeader,
  Caption1,
  Dropdown,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Skeleton,
  SkeletonItem,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Mail24Regular } from "@fluentui/react-icons";
import { useState } from "react";
import type { AccessType } from "../../contract/common";
import { ApiError, errorMessage } from "../api/client";
import { accessTypeEntry, accessTypeOptions } from "./access-types";
import { useAccessTypes, useMailboxAccess, useSaveMailboxAccess } from "./api";
import { AccessTypeGuide } from "./app-only/AccessTypeGuide";
import type { MailboxAccessInput } from "./types";
import { useNotify } from "../components/notify";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  dropdown: { maxWidth: "560px" },
  optionText: { display: "flex", flexDirection: "column" },
  hint: { color: tokens.colorNeutralForeground3 },
  empty: { color: tokens.colorNeutralForeground2 },
});

/**
 * The **Email configuration** widget: the **Mailbox Access Type** dropdown and the chosen type's form.
 * Saves with If-Match (the ETag from GET), so a save over someone else's newer one gets a conflict
 * message instead of silently overwriting it.
 */
export function EmailConfigurationCard({ profileId }: { profileId: string }) {
  const styles = useStyles();
  const notify = useNotify();
  const access = useMailboxAccess(profileId);
  const options = accessTypeOptions(useAccessTypes().data);
  const save = useSaveMailboxAccess(profileId);
  const stored = access.data?.access ?? null;
  const [chosen, setChosen] = useState<AccessType | null>(null);
  // Remounts the form after a reload so it shows the stored values again.
  const [formKey, setFormKey] = useState(0);
  const type = chosen ?? stored?.type ?? null;
  const option = options.find((o) => o.id === type);
  const Form = type ? accessTypeEntry(type)?.Form : undefined;
  // Warnings the server attached to the stored config (e.g. Basic on Exchange Online).
  const warnings = stored && type === stored.type ? stored.warnings : [];

  const saveError = save.error instanceof ApiError ? save.error : null;
  const conflict = saveError?.status === 412 || saveError?.id === "precondition_failed";
  const serverErrors = saveError && !conflict ? saveError.fieldErrors() : {};

  const handleSave = (input: MailboxAccessInput) => {
    save.mutate(
      { input, etag: access.data?.etag ?? null },
      {
        onSuccess: () => {
          setChosen(null);
          setFormKey((k) => k + 1);
          notify.success("Mailbox access saved", "Run Test connectivity to check the service account.");
        },
        onError: (err) => {
          if (!(err instanceof ApiError && (err.status === 412 || err.id === "validation_failed"))) {
            notify.error(err, "Saving failed");
          }
        },
      },
    );
  };

  const handleReload = async () => {
    save.reset();
    setChosen(null);
    await access.refetch();
    setFormKey((k) => k + 1);
  };

  return (
    <Card aria-labelledby="email-configuration-title">
      <CardHeader
        image={<Mail24Regular aria-hidden />}
        header={
          <Text id="email-configuration-title" as="h2" weight="semibold" size={400}>
            Email configuration
          </Text>
        }
        description={
          <Caption1>
            How this profile reaches its users' mailboxes: the impersonating service account.
          </Caption1>
        }
      />
      {access.isPending ? (
        <Skeleton aria-label="Loading the email configuration">
          <SkeletonItem size={32} style={{ maxWidth: 560 }} />
          <SkeletonItem size={32} style={{ maxWidth: 560, marginTop: 12 }} />
          <SkeletonItem size={32} style={{ maxWidth: 560, marginTop: 12 }} />
        </Skeleton>
      ) : access.isError ? (
        <MessageBar intent="error">
          <MessageBarBody>
            <MessageBarTitle>The email configuration could not be loaded</MessageBarTitle>
            {errorMessage(access.error)}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void access.refetch()}>Retry</Button>
          </MessageBarActions>
        </MessageBar>
      ) : (
        <div className={styles.body}>
          <Field label="Mailbox Access Type" hint={option?.hint} className={styles.dropdown}>
            <Dropdown
              placeholder="Choose a Mailbox Access Type"
              value={option?.label ?? ""}
              selectedOptions={type ? [type] : []}
              onOptionSelect={(_, d) => {
                save.reset();
                setChosen((d.optionValue as AccessType | undefined) ?? null);
              }}
            >
              {options.map((o) => (
                <Option key={o.id} value={o.id} text={o.label}>
                  <span className={styles.optionText}>
                    <span>{o.label}</span>
                    <Caption1 className={styles.hint}>{o.hint}</Caption1>
                  </span>
                </Option>
              ))}
            </Dropdown>
          </Field>
          <AccessTypeGuide />
          {conflict ? (
            <MessageBar intent="error">
              <MessageBarBody>
                <MessageBarTitle>Someone else saved this configuration meanwhile</MessageBarTitle>
                Your changes were not saved. Reload to see the current configuration, then make your changes
                again.
              </MessageBarBody>
              <MessageBarActions>
                <Button onClick={() => void handleReload()}>Reload</Button>
              </MessageBarActions>
            </MessageBar>
          ) : saveError && saveError.id === "validation_failed" ? (
            <MessageBar intent="error">
              <MessageBarBody>
                <MessageBarTitle>Not saved</MessageBarTitle>
                {saveError.message}
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {warnings.map((w) => (
            <MessageBar key={w} intent="warning">
              <MessageBarBody>{w}</MessageBarBody>
            </MessageBar>
          ))}
          {type === null ? (
            <Text className={styles.empty}>
              No mailbox access configured yet: choose a Mailbox Access Type.
            </Text>
          ) : Form ? (
            <Form
              key={`${type}-${formKey}`}
              profileId={profileId}
              stored={stored}
              saving={save.isPending}
              serverErrors={serverErrors}
              onSave={handleSave}
            />
          ) : (
            <Text>
              {stored?.type === type
                ? "This Mailbox Access Type is configured; its settings can't be edited in the panel yet."
                : "This Mailbox Access Type can't be set up in the panel yet."}
            </Text>
          )}
        </div>
      )}
    </Card>
  );
}
