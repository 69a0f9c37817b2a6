import { accessIdentity } from "./access-types/descriptions";
import {
  Button,
  Caption1,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Skeleton,
  SkeletonItem,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { PlugConnectedCheckmark20Regular, Stethoscope24Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { errorMessage } from "../api/client";
import { useLatestConnectivityTest, useMailboxAccess, useRunConnectivityTest } from "./api";
import { StepList } from "./StepList";
import { STEP_STATUS_LABEL } from "./StepStatusIcon";
import type { ConnectivityResult } from "./types";
import { UserPicker } from "./UserPicker";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  pickers: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(240px, 1fr))",
    gap: tokens.spacingHorizontalL,
    maxWidth: "760px",
  },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center" },
  muted: { color: tokens.colorNeutralForeground3 },
});

function summarize(result: ConnectivityResult): { intent: "success" | "warning" | "error"; title: string } {
  const failed = result.steps.filter((s) => s.status === "failed").length;
  const warned = result.steps.filter((s) => s.status === "warning").length;
  if (failed > 0) {
    return {
      intent: "error",
      title: `Connectivity test failed: ${failed} step${failed > 1 ? "s" : ""} failed`,
    };
  }
  if (warned > 0) {
    return {
      intent: "warning",
      title: `Connectivity test passed with ${warned} warning${warned > 1 ? "s" : ""}`,
    };
  }
  return { intent: "success", title: "Connectivity test passed" };
}

/**
 * **Test connectivity**: pick a user to impersonate (and optionally one the account must not reach),
 * run the Remote Connectivity Analyzer-style test and read its steps; the latest stored result shows on load.
 */
export function ConnectivityTestCard({ profileId }: { profileId: string }) {
  const styles = useStyles();
  const access = useMailboxAccess(profileId);
  const latest = useLatestConnectivityTest(profileId);
  const run = useRunConnectivityTest(profileId);
  const [targetUser, setTargetUser] = useState("");
  const [outOfScopeUser, setOutOfScopeUser] = useState("");
  const configured = Boolean(access.data?.access);
  const who = accessIdentity(access.data?.access?.type);
  const result = run.isPending ? null : (latest.data ?? null);
  const when = result?.finishedAt ?? result?.startedAt;

  const handleRun = () => {
    run.mutate({ ...(targetUser ? { targetUser } : {}), ...(outOfScopeUser ? { outOfScopeUser } : {}) });
  };

  return (
    <Card aria-labelledby="connectivity-test-title">
      <CardHeader
        image={<Stethoscope24Regular aria-hidden />}
        header={
          <Text id="connectivity-test-title" as="h2" weight="semibold" size={400}>
            Test connectivity
          </Text>
        }
        description={<Caption1>{who.testCaption}</Caption1>}
      />
      <div className={styles.body}>
        <div className={styles.pickers}>
          <UserPicker
            profileId={profileId}
            label="Target user"
            hint="A user to impersonate; empty: the profile's first user."
            value={targetUser}
            onChange={setTargetUser}
          />
          <UserPicker
            profileId={profileId}
            label="Out-of-scope user (optional)"
            hint={`A mailbox ${who.identity} must not reach.`}
            value={outOfScopeUser}
            onChange={setOutOfScopeUser}
          />
        </div>
        <div className={styles.actions}>
          <Button
            appearance="primary"
            icon={run.isPending ? <Spinner size="tiny" /> : <PlugConnectedCheckmark20Regular />}
            disabled={!configured || run.isPending}
            onClick={handleRun}
          >
            {run.isPending ? "Testing…" : "Test connectivity"}
          </Button>
          {!configured && !access.isPending ? (
            <Text className={styles.muted}>Save an Email configuration first.</Text>
          ) : null}
        </div>
        {run.isError ? (
          <MessageBar intent="error">
            <MessageBarBody>
              <MessageBarTitle>The test could not run</MessageBarTitle>
              {errorMessage(run.error)}
            </MessageBarBody>
          </MessageBar>
        ) : null}
        <div aria-live="polite" aria-busy={run.isPending}>
          {run.isPending || latest.isPending ? (
            <Skeleton aria-label="Running the connectivity test">
              {[0, 1, 2, 3, 4].map((i) => (
                <SkeletonItem key={i} size={24} style={{ marginTop: 8 }} />
              ))}
            </Skeleton>
          ) : result ? (
            <div className={styles.body}>
              <MessageBar intent={summarize(result).intent}>
                <MessageBarBody>
                  <MessageBarTitle>{summarize(result).title}</MessageBarTitle>
                  {[
                    when ? `Ran ${new Date(when).toLocaleString()}` : null,
                    result.createdBy ? `by ${result.createdBy}` : null,
                  ]
                    .filter(Boolean)
                    .join(" ")}
                </MessageBarBody>
              </MessageBar>
              <StepList steps={result.steps} />
              <Caption1 className={styles.muted}>
                {(["passed", "warning", "failed", "skipped"] as const)
                  .map((s) => [s, result.steps.filter((step) => step.status === s).length] as const)
                  .filter(([, n]) => n > 0)
                  .map(([s, n]) => `${n} ${STEP_STATUS_LABEL[s].toLowerCase()}`)
                  .join(", ")}
              </Caption1>
            </div>
          ) : configured ? (
            <Text className={styles.muted}>
              No test has run yet. Choose Test connectivity to check the service account.
            </Text>
          ) : null}
        </div>
      </div>
    </Card>
  );
}
