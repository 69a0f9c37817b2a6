import { useState, type FormEvent } from "react";
import { Button, Card, CardHeader, Divider, Field, Input, Text } from "@fluentui/react-components";
import { useChangePassword, useEndOtherSessions } from "../api/auth";
import { ApiError } from "../api/client";
import { useNotify } from "../components/notify";
import { useSettingsStyles } from "./settingsStyles";

/** My account: change my password, end my other sessions. */
export function AccountCard() {
  const styles = useSettingsStyles();
  const change = useChangePassword();
  const endSessions = useEndOtherSessions();
  const notify = useNotify();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const fields = change.error instanceof ApiError ? change.error.fieldErrors() : {};
  const currentError =
    change.error instanceof ApiError && change.error.id === "wrong_password"
      ? change.error.message
      : fields.current;

  const handleChange = (e: FormEvent) => {
    e.preventDefault();
    change.mutate(
      { current, next },
      {
        onSuccess: () => (
          notify.success("Password changed", "Your other sessions were signed out."),
          setCurrent(""),
          setNext("")
        ),
        onError: (err) => !(err instanceof ApiError && err.status === 400) && notify.error(err),
      },
    );
  };

  return (
    <Card>
      <CardHeader
        header={
          <Text as="h2" weight="semibold" size={400}>
            My account
          </Text>
        }
      />
      <form className={styles.form} onSubmit={handleChange} noValidate>
        <Field label="Current password" validationMessage={currentError}>
          <Input
            type="password"
            value={current}
            onChange={(_e, d) => setCurrent(d.value)}
            autoComplete="current-password"
          />
        </Field>
        <Field label="New password" hint="At least 12 characters." validationMessage={fields.next}>
          <Input
            type="password"
            value={next}
            onChange={(_e, d) => setNext(d.value)}
            autoComplete="new-password"
          />
        </Field>
        <div className={styles.row}>
          <Button type="submit" disabled={!current || next.length < 12 || change.isPending}>
            Change password
          </Button>
        </div>
      </form>
      <Divider />
      <Text className={styles.muted}>
        Signed in on another computer you no longer use? End every session but this one.
      </Text>
      <div className={styles.row}>
        <Button
          disabled={endSessions.isPending}
          onClick={() =>
            endSessions.mutate(undefined, {
              onSuccess: (r) =>
                notify.success(
                  r.ended
                    ? `Ended ${r.ended} other session${r.ended === 1 ? "" : "s"}`
                    : "No other sessions were open",
                ),
              onError: (err) => notify.error(err),
            })
          }
        >
          End my other sessions
        </Button>
      </div>
    </Card>
  );
}
