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
import { DeleteRegular, PersonAddRegular } from "@fluentui/react-icons";
import type { LocalAdmin, Me } from "../../contract/auth";
import { useAddAdmin, useAdmins, useRemoveAdmin } from "../api/auth";
import { ApiError, errorMessage } from "../api/client";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { useNotify } from "../components/notify";
import { ListSkeleton } from "../components/Skeletons";
import { useSettingsStyles } from "./settingsStyles";

/** Local admins: who they are, add one, remove one (with confirmation). */
export function AdminsCard({ me }: { me: Me }) {
  const styles = useSettingsStyles();
  const admins = useAdmins();
  const add = useAddAdmin();
  const remove = useRemoveAdmin();
  const notify = useNotify();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [removing, setRemoving] = useState<LocalAdmin | undefined>();
  const fields = add.error instanceof ApiError ? add.error.fieldErrors() : {};

  const handleAdd = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(
      { email: email.trim(), password },
      {
        onSuccess: (a) => (
          notify.success(`Added ${a.email}`, "Give them the password through a safe channel."),
          setEmail(""),
          setPassword("")
        ),
      },
    );
  };

  return (
    <Card>
      <CardHeader
        header={
          <Text as="h2" weight="semibold" size={400}>
            Local admins
          </Text>
        }
        description={
          <Text className={styles.muted}>
            Accounts that sign in with e-mail and password. They are platform admins.
          </Text>
        }
      />
      {admins.isPending && <ListSkeleton rows={2} label="Loading admins" />}
      {admins.data && (
        <ul className={styles.list} aria-label="Local admins">
          {admins.data.map((a) => (
            <li key={a.id} className={styles.listItem}>
              <div>
                <Text block>{a.email}</Text>
                <Text size={200} className={styles.muted}>
                  {a.id === me.id ? "You · " : ""}added {new Date(a.createdAt).toLocaleDateString()}
                </Text>
              </div>
              <Button
                appearance="subtle"
                icon={<DeleteRegular />}
                aria-label={`Remove ${a.email}`}
                disabled={a.id === me.id}
                onClick={() => (remove.reset(), setRemoving(a))}
              />
            </li>
          ))}
        </ul>
      )}
      <form className={styles.form} onSubmit={handleAdd} noValidate>
        <Field label="New admin's email" validationMessage={fields.email}>
          <Input type="email" value={email} onChange={(_e, d) => setEmail(d.value)} autoComplete="off" />
        </Field>
        <Field label="Initial password" hint="At least 12 characters." validationMessage={fields.password}>
          <Input
            type="password"
            value={password}
            onChange={(_e, d) => setPassword(d.value)}
            autoComplete="new-password"
          />
        </Field>
        {add.error && !Object.keys(fields).length && (
          <MessageBar intent="error" role="alert">
            <MessageBarBody>{errorMessage(add.error)}</MessageBarBody>
          </MessageBar>
        )}
        <div className={styles.row}>
          <Button type="submit" icon={<PersonAddRegular />} disabled={!email || !password || add.isPending}>
            Add admin
          </Button>
        </div>
      </form>
      <ConfirmDialog
        open={Boolean(removing)}
        title={`Remove ${removing?.email ?? "admin"}?`}
        confirmLabel="Remove admin"
        destructive
        busy={remove.isPending}
        onCancel={() => setRemoving(undefined)}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.id, {
            onSuccess: () => (notify.success(`Removed ${removing.email}`), setRemoving(undefined)),
          })
        }
      >
        <p>They can no longer sign in, and their sessions end.</p>
        {remove.error && (
          <MessageBar intent="error" role="alert">
            <MessageBarBody>{errorMessage(remove.error)}</MessageBarBody>
          </MessageBar>
        )}
      </ConfirmDialog>
    </Card>
  );
}
