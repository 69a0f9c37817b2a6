import {
  Badge,
  Caption1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { TaskListLtr24Regular } from "@fluentui/react-icons";
import { EmptyState } from "../components/EmptyState";
import { ListSkeleton } from "../components/Skeletons";
import { useProfileJobs } from "../jobs/api";
import { JOB_KIND_LABEL, JOB_STATE_INFO, failuresByCode, percentDone } from "../jobs/jobText";

const useStyles = makeStyles({
  num: { fontVariantNumeric: "tabular-nums" },
  muted: { color: tokens.colorNeutralForeground3 },
  codes: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** The profile's jobs, newest first: kind, state, progress, failures by code, who and when. */
export function JobsList({ profileId }: { profileId: string }) {
  const styles = useStyles();
  const jobs = useProfileJobs(profileId);
  if (jobs.isPending) return <ListSkeleton rows={3} label="Loading jobs" />;
  if (jobs.isError) return <Text>Jobs could not be loaded.</Text>;
  const list = [...jobs.data].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (list.length === 0) {
    return (
      <EmptyState icon={<TaskListLtr24Regular />} title="No jobs yet">
        Activations and re-checks appear here. Start one with Activate sync for all users on the Connectivity
        tab.
      </EmptyState>
    );
  }
  return (
    <Table aria-label="Jobs" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Job</TableHeaderCell>
          <TableHeaderCell>State</TableHeaderCell>
          <TableHeaderCell>Progress</TableHeaderCell>
          <TableHeaderCell>Failures</TableHeaderCell>
          <TableHeaderCell>Started</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {list.map((job) => (
          <TableRow key={job.id}>
            <TableCell>
              <Text>{JOB_KIND_LABEL[job.kind]}</Text>
              <br />
              <Caption1 className={styles.muted}>by {job.createdBy}</Caption1>
            </TableCell>
            <TableCell>
              <Badge appearance="tint" color={JOB_STATE_INFO[job.state].color}>
                {JOB_STATE_INFO[job.state].label}
              </Badge>
              {job.reason ? (
                <>
                  <br />
                  <Caption1>{job.reason}</Caption1>
                </>
              ) : null}
            </TableCell>
            <TableCell className={styles.num}>
              {job.progress.done.toLocaleString()} / {job.progress.total.toLocaleString()} ({percentDone(job)}{" "}
              %) · {job.progress.ok.toLocaleString()} ok
            </TableCell>
            <TableCell>
              <span className={styles.codes}>
                {failuresByCode(job).length === 0 ? <Caption1 className={styles.muted}>none</Caption1> : null}
                {failuresByCode(job).map(([code, n]) => (
                  <Badge key={code} appearance="outline" color="danger">
                    {code}: {n}
                  </Badge>
                ))}
              </span>
            </TableCell>
            <TableCell className={styles.num}>{when(job.startedAt ?? job.createdAt)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
