import { Card, CardHeader, Text, makeStyles, tokens } from "@fluentui/react-components";
import { AuditList } from "./AuditList";
import { JobsList } from "./JobsList";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    paddingBottom: tokens.spacingVerticalXXL,
  },
});

/** The Activity tab of a profile: its jobs and its audit events, newest first. */
export function ActivityTab({ profileId }: { profileId: string }) {
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <Card aria-labelledby="activity-jobs-title">
        <CardHeader
          header={
            <Text id="activity-jobs-title" as="h2" weight="semibold" size={400}>
              Jobs
            </Text>
          }
        />
        <JobsList profileId={profileId} />
      </Card>
      <Card aria-labelledby="activity-audit-title">
        <CardHeader
          header={
            <Text id="activity-audit-title" as="h2" weight="semibold" size={400}>
              Audit events
            </Text>
          }
        />
        <AuditList profileId={profileId} />
      </Card>
    </div>
  );
}
