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
import { useSignIn } from "../api/auth";
import { errorMessage } from "../api/client";
import type { HostName } from "../app/useHost";
import { MicrosoftSignInButton } from "../host/MicrosoftSignInButton";
import { useEntraSignIn } from "../host/useEntraSignIn";
import { useAuthStyles } from "./authStyles";

/** The local admin's sign-in form (cookie session). */
export function SignInPage({ loadError, host }: { loadError?: unknown; host?: HostName }) {
  const styles = useAuthStyles();
  const signIn = useSignIn();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const entra = useEntraSignIn();
  const entraOn = entra.status === "signed-out" || entra.status === "signed-in";

  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ email: email.trim(), password });
  };

  return (
    <div className={styles.page}>
      <Card className={styles.card}>
        <div className={styles.brand} aria-hidden="true">
          <MailMultipleRegular />
        </div>
        <div>
          <Text as="h1" size={600} weight="semibold" block>
            Sign in to Mailbox Sync Admin
          </Text>
          <Text className={styles.muted}>
            {entraOn
              ? "Sign in with your Microsoft work account, or with a local admin account."
              : "Use the local admin account set up for this server."}
          </Text>
        </div>
        {loadError != null && (
          <MessageBar intent="error">
            <MessageBarBody>{errorMessage(loadError)}</MessageBarBody>
          </MessageBar>
        )}
        <MicrosoftSignInButton />
        {host && host !== "standalone" && !entraOn && (
          <MessageBar intent="info">
            <MessageBarBody>
              Signed in through {host}? Single sign-on isn't configured on this server; use a local admin
              account.
            </MessageBarBody>
          </MessageBar>
        )}
        <form className={styles.form} onSubmit={handleSubmit} noValidate>
          <Field label="Email" required>
            <Input
              type="email"
              autoComplete="username"
              value={email}
              onChange={(_e, d) => setEmail(d.value)}
            />
          </Field>
          <Field label="Password" required>
            <Input
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(_e, d) => setPassword(d.value)}
            />
          </Field>
          {signIn.error && (
            <MessageBar intent="error" role="alert">
              <MessageBarBody>{errorMessage(signIn.error)}</MessageBarBody>
            </MessageBar>
          )}
          <Button
            type="submit"
            appearance="primary"
            disabled={signIn.isPending || !email || !password}
            icon={signIn.isPending ? <Spinner size="tiny" /> : undefined}
          >
            Sign in
          </Button>
        </form>
      </Card>
    </div>
  );
}
