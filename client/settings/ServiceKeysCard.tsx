import { useState } from "react";
import {
  Badge,
  Button,
  Card,
  CardHeader,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Text,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, KeyRegular, ProhibitedRegular } from "@fluentui/react-icons";
import { errorMessage } from "../api/client";
import { useProfiles } from "../api/profiles";
import { useRevokeServiceKey, useServiceKeys } from "../api/serviceKeys";
import type { CreatedServiceKey, ServiceKey } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { EmptyState } from "../components/EmptyState";
import { useNotify } from "../components/notify";
import { ListSkeleton } from "../components/Skeletons";
import { exactTime, relativeTime } from "../components/relativeTime";
import { CreateServiceKeyDialog } from "./CreateServiceKeyDialog";
import { ServiceKeyCreatedDialog } from "./ServiceKeyCreatedDialog";
import { scopeInfo, shortDate } from "./serviceKeyText";
import { useSettingsStyles } from "./settingsStyles";
import { useNow } from "../components/useNow";

const useStyles = makeStyles({
  wide: { gridColumn: "1 / -1" },
  noWrap: { whiteSpace: "nowrap", flexShrink: 0 },
  item: {
    display: "flex",
    alignItems: "flex-start",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalM} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  main: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS, minWidth: 0 },
  title: { display: "flex", alignItems: "center", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  prefix: { fontFamily: tokens.fontFamilyMonospace, color: tokens.colorNeutralForeground2 },
  badges: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

/** Whether a key still works, in words and color (never color alone). */
function keyStatus(key: ServiceKey, now: number): { label: string; color: "success" | "danger" | "warning" } {
  if (key.revokedAt) return { label: "Revoked", color: "danger" };
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return { label: "Expired", color: "warning" };
  return { label: "Active", color: "success" };
}

/** Keys for the sync service: list, create (shown once), revoke (with confirmation). Platform admins only. */
export function ServiceKeysCard() {
  const shared = useSettingsStyles();
  const styles = useStyles();
  const keys = useServiceKeys();
  const profiles = useProfiles();
  const revoke = useRevokeServiceKey();
  const notify = useNotify();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedServiceKey | null>(null);
  const [revoking, setRevoking] = useState<ServiceKey | undefined>();
  const now = useNow();
  const profileName = (id: string | null) =>
    id ? (profiles.data?.find((p) => p.id === id)?.name ?? "One profile (deleted)") : "All profiles";

  const handleRevoke = () => {
    if (!revoking) return;
    revoke.mutate(revoking.id, {
      onSuccess: () => (
        notify.success(`Revoked ${revoking.name}`, "The sync service holding it is refused from now on."),
        setRevoking(undefined)
      ),
    });
  };

  const createButton = (
    <Button
      appearance="primary"
      className={styles.noWrap}
      icon={<AddRegular />}
      onClick={() => setCreating(true)}
    >
      Create key
    </Button>
  );

  return (
    <Card className={styles.wide}>
      <CardHeader
        header={
          <Text as="h2" weight="semibold" size={400}>
            Sync service keys
          </Text>
        }
        description={
          <Text className={shared.muted}>
            Keys the CRM sync service uses to read the roster, reach mailboxes through this server and report
            how sync went.
          </Text>
        }
        action={keys.data && keys.data.length > 0 ? createButton : undefined}
      />
      {keys.isPending && <ListSkeleton rows={2} label="Loading service keys" />}
      {keys.isError && (
        <MessageBar intent="error">
          <MessageBarBody>{errorMessage(keys.error)}</MessageBarBody>
        </MessageBar>
      )}
      {keys.data?.length === 0 && (
        <EmptyState icon={<KeyRegular />} title="No service keys yet" action={createButton}>
          A service key lets your sync service list the mailboxes to sync, reach each one through this server
          without ever holding a password, and report sync sessions, so admins and users see when a mailbox
          last synced.
        </EmptyState>
      )}
      {keys.data && keys.data.length > 0 && (
        <ul className={shared.list} aria-label="Service keys">
          {keys.data.map((k) => {
            const status = keyStatus(k, now);
            return (
              <li key={k.id} className={styles.item}>
                <div className={styles.main}>
                  <div className={styles.title}>
                    <Text weight="semibold">{k.name}</Text>
                    <Text className={styles.prefix}>{k.prefix}…</Text>
                    <Badge appearance="tint" color={status.color}>
                      {status.label}
                    </Badge>
                  </div>
                  <div className={styles.badges}>
                    {k.scopes.map((s) => (
                      <Badge
                        key={s}
                        appearance="outline"
                        color="informative"
                        title={scopeInfo[s].description}
                      >
                        {s}
                      </Badge>
                    ))}
                  </div>
                  <Text size={200} className={shared.muted}>
                    {profileName(k.profileId)} ·{" "}
                    {k.revokedAt
                      ? `Revoked ${shortDate(k.revokedAt, "")}`
                      : `Expires ${shortDate(k.expiresAt, "never")}`}{" "}
                    ·{" "}
                    <span title={k.lastUsedAt ? exactTime(k.lastUsedAt) : undefined}>
                      Last used {k.lastUsedAt ? relativeTime(k.lastUsedAt, now) : "never"}
                    </span>{" "}
                    · Created by {k.createdBy} on {shortDate(k.createdAt, "")}
                  </Text>
                </div>
                {!k.revokedAt && (
                  <Button
                    icon={<ProhibitedRegular />}
                    onClick={() => (revoke.reset(), setRevoking(k))}
                    aria-label={`Revoke ${k.name}`}
                  >
                    Revoke
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <CreateServiceKeyDialog open={creating} onClose={() => setCreating(false)} onCreated={setCreated} />
      <ServiceKeyCreatedDialog created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        open={Boolean(revoking)}
        title={`Revoke ${revoking?.name ?? "key"}?`}
        confirmLabel="Revoke key"
        destructive
        busy={revoke.isPending}
        onCancel={() => setRevoking(undefined)}
        onConfirm={handleRevoke}
      >
        <p>
          The sync service holding this key is refused from the next request on. This can't be undone; create
          a new key to let it back in.
        </p>
        {revoke.error && (
          <MessageBar intent="error" role="alert">
            <MessageBarBody>{errorMessage(revoke.error)}</MessageBarBody>
          </MessageBar>
        )}
      </ConfirmDialog>
    </Card>
  );
}
