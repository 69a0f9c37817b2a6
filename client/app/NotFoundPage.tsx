import { Button } from "@fluentui/react-components";
import { DocumentSearchRegular } from "@fluentui/react-icons";
import { EmptyState } from "../components/EmptyState";
import { navigate } from "./router";

/** An unknown address inside the panel. */
export function NotFoundPage() {
  return (
    <EmptyState icon={<DocumentSearchRegular />} title="This page doesn't exist">
      The link may be old or mistyped.{" "}
      <Button appearance="primary" onClick={() => navigate({ page: "profiles" })}>
        Go to profiles
      </Button>
    </EmptyState>
  );
}
