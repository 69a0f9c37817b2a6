import type { ReactNode } from "react";
import { makeStyles, Text, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalXXXL} ${tokens.spacingHorizontalXL}`,
    color: tokens.colorNeutralForeground2,
    maxWidth: "480px",
    margin: "0 auto",
  },
  icon: { fontSize: "48px", color: tokens.colorBrandForeground1, display: "flex" },
});

/** An empty list that says what to do next, with the action to do it. */
export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  const styles = useStyles();
  return (
    <div className={styles.root} role="status">
      {icon && (
        <div className={styles.icon} aria-hidden="true">
          {icon}
        </div>
      )}
      <Text as="h2" size={500} weight="semibold">
        {title}
      </Text>
      {children && <Text as="p">{children}</Text>}
      {action}
    </div>
  );
}
