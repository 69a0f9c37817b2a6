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
import type { AccessType } from "../../contract/common";
import { errorMessage } from "../api/client";
import { AccessTypeGuide } from "./app-only/AccessTypeGuide";
import { accessIdentity } from "./access-types/descriptions";
import { useEmailConfiguration } from "./useEmailConfiguration";

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
 * message instead of silently overwriting it. State and Save live in useEmailConfiguration; the
 * chosen type's form comes from the access-type registry.
 */
export function EmailConfigurationCard({ profileId }: { profileId: string }) {
  const styles = useStyles();
  const config = useEmailConfiguration(profileId);
  const { access, stored, type, option } = config;
  const Form = config.entry?.Form;

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
            How this profile reaches its users' mailboxes: {accessIdentity(type).reachedBy}.
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
              onOptionSelect={(_, d) => config.choose((d.optionValue as AccessType | undefined) ?? null)}
            >
              {config.options.map((o) => (
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
          {config.conflict ? (
            <MessageBar intent="error">
              <MessageBarBody>
                <MessageBarTitle>Someone else saved this configuration meanwhile</MessageBarTitle>
                Your changes were not saved. Reload to see the current configuration, then make your changes
                again.
              </MessageBarBody>
              <MessageBarActions>
                <Button onClick={() => void config.reload()}>Reload</Button>
              </MessageBarActions>
            </MessageBar>
          ) : config.validationMessage ? (
            <MessageBar intent="error">
              <MessageBarBody>
                <MessageBarTitle>Not saved</MessageBarTitle>
                {config.validationMessage}
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {config.warnings.map((w) => (
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
              key={config.formKey}
              profileId={profileId}
              stored={stored}
              saving={config.saving}
              serverErrors={config.serverErrors}
              onSave={config.handleSave}
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
