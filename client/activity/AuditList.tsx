import {
  Button,
  Caption1,
  Spinner,
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
import { History24Regular } from "@fluentui/react-icons";
import { errorMessage } from "../api/client";
import { EmptyState } from "../components/EmptyState";
import { ListSkeleton } from "../components/Skeletons";
import { useAuditEvents } from "./api";
import { auditActionLabel, changedFields } from "./auditText";

const useStyles = makeStyles({
  num: { fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" },
  muted: { color: tokens.colorNeutralForeground3 },
  more: { marginTop: tokens.spacingVerticalM },
});

/** The profile's audit events, newest first, with **Load more** through the cursor. */
export function AuditList({ profileId }: { profileId: string }) {
  const styles = useStyles();
  const audit = useAuditEvents(profileId);
  if (audit.isPending) return <ListSkeleton rows={5} label="Loading audit events" />;
  if (audit.isError) return <Text>Audit events could not be loaded: {errorMessage(audit.error)}</Text>;
  const events = audit.data.pages.flatMap((p) => p.data);
  if (events.length === 0) {
    return (
      <EmptyState icon={<History24Regular />} title="No audit events yet">
        Every change to this profile (configuration, users, jobs) is recorded here with who made it and when.
      </EmptyState>
    );
  }
  return (
    <div>
      <Table aria-label="Audit events" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>When</TableHeaderCell>
            <TableHeaderCell>Who</TableHeaderCell>
            <TableHeaderCell>What</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {events.map((e) => {
            const fields = changedFields(e);
            return (
              <TableRow key={e.id}>
                <TableCell className={styles.num}>{new Date(e.at).toLocaleString()}</TableCell>
                <TableCell>{e.actor}</TableCell>
                <TableCell>
                  <Text>{auditActionLabel(e.action)}</Text>
                  {e.target ? <Caption1 className={styles.muted}> · {e.target}</Caption1> : null}
                  {fields.length > 0 ? (
                    <>
                      <br />
                      <Caption1 className={styles.muted}>Changed: {fields.join(", ")}</Caption1>
                    </>
                  ) : null}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {audit.hasNextPage ? (
        <Button
          className={styles.more}
          disabled={audit.isFetchingNextPage}
          icon={audit.isFetchingNextPage ? <Spinner size="tiny" /> : undefined}
          onClick={() => void audit.fetchNextPage()}
        >
          Load more
        </Button>
      ) : null}
    </div>
  );
}
