import { useState, type FormEvent } from "react";
import {
  Button,
  Card,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
} from "@fluentui/react-components";
import { MailMultipleRegular } from "@fluentui/react-icons";
import { useSetup } from "../api/auth";
import { ApiError, errorMessage } from "../api/client";
import { navigate } from "../app/router";
import { useAuthStyles } from "./authStyles";

/** Minimum password length, as the server's PasswordRule. */
const MIN_PASSWORD = 12;

/** Creates the first local admin with the one-time token printed by the server at first start. */
export function SetupPage({ token }: { token: string }) {
  const styles = useAuthStyles();
  const setup = useSetup();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [touched, setTouched] = useState(false);
  const fields = setup.error instanceof ApiError ? setup.error.fieldErrors() : {};

  const passwordError =
    touched && password.length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters.` : fields.password;
  const repeatError = touched && repeat !== password ? "The passwords don't match." : undefined;

  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (password.length < MIN_PASSWORD || repeat !== password) return;
    setup.mutate(
      { token, email: email.trim(), password },
      { onSuccess: () => navigate({ page: "profiles" }, { replace: true }) },
    );
  };

  return (
    <div className={styles.page}>
      <Card className={styles.card}>
        <div className={styles.brand} aria-hidden="true">
          <MailMultipleRegular />
        </div>
        <div>
          <Text as="h1" size={600} weight="semibold" block>
            Create the first admin
          </Text>
          <Text className={styles.muted}>
            This account manages profiles, users and settings. You can add more admins later in Settings.
          </Text>
        </div>
        {!token && (
          <MessageBar intent="warning">
            <MessageBarBody>
              This link has no setup token. Open the link the server printed at its first start.
            </MessageBarBody>
          </MessageBar>
        )}
        <form className={styles.form} onSubmit={handleSubmit} noValidate>
          <Field label="Email" required validationMessage={fields.email}>
            <Input
              type="email"
              autoComplete="username"
              value={email}
              onChange={(_e, d) => setEmail(d.value)}
            />
          </Field>
          <Field
            label="Password"
            required
            hint={`At least ${MIN_PASSWORD} characters.`}
            validationMessage={passwordError}
          >
            <Input
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(_e, d) => setPassword(d.value)}
            />
          </Field>
          <Field label="Repeat password" required validationMessage={repeatError}>
            <Input
              type="password"
              autoComplete="new-password"
              value={repeat}
              onChange={(_e, d) => setRepeat(d.value)}
            />
          </Field>
          {setup.error && !Object.keys(fields).length && (
            <MessageBar intent="error" role="alert">
              <MessageBarBody>{errorMessage(setup.error)}</MessageBarBody>
            </MessageBar>
          )}
          <Button
            type="submit"
            appearance="primary"
            disabled={setup.isPending || !token || !email}
            icon={setup.isPending ? <Spinner size="tiny" /> : undefined}
          >
            Create admin and sign in
          </Button>
        </form>
      </Card>
    </div>
  );
}
