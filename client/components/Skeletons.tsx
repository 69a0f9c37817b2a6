import { makeStyles, Skeleton, SkeletonItem, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  rows: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalM} 0`,
  },
  row: {
    display: "grid",
    gridTemplateColumns: "2fr 1fr 1fr",
    gap: tokens.spacingHorizontalL,
    alignItems: "center",
  },
});

/** Placeholder rows while a list loads; the same height as the real rows, so nothing jumps. */
export function ListSkeleton({ rows = 5, label = "Loading" }: { rows?: number; label?: string }) {
  const styles = useStyles();
  return (
    <Skeleton aria-label={label} className={styles.rows}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className={styles.row}>
          <SkeletonItem size={16} />
          <SkeletonItem size={16} />
          <SkeletonItem size={16} />
        </div>
      ))}
    </Skeleton>
  );
}

/** A page-sized placeholder for a lazy page while its code loads. */
export function PageSkeleton() {
  return (
    <div style={{ padding: tokens.spacingVerticalXL }}>
      <Skeleton aria-label="Loading page">
        <SkeletonItem size={32} style={{ width: "40%", marginBottom: tokens.spacingVerticalL }} />
      </Skeleton>
      <ListSkeleton rows={6} />
    </div>
  );
}
