import { makeStyles, tokens } from "@fluentui/react-components";

/** Layout shared by the sign-in and setup forms: a centered card of readable width. */
export const useAuthStyles = makeStyles({
  page: {
    minHeight: "100vh",
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    padding: tokens.spacingHorizontalL,
    boxSizing: "border-box",
  },
  card: {
    width: "100%",
    maxWidth: "400px",
    padding: tokens.spacingHorizontalXXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  brand: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    color: tokens.colorBrandForeground1,
    fontSize: "24px",
  },
  muted: { color: tokens.colorNeutralForeground2 },
});
