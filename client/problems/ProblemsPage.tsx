import { PageHeader } from "../components/PageHeader";
import { ProblemsView } from "./ProblemsView";

/** Problems across every profile the signed-in admin administers, grouped by cause. */
export function ProblemsPage() {
  return (
    <>
      <PageHeader
        title="Problems"
        subtitle="Failing mailboxes of all your profiles, grouped by cause, with one fix per group."
      />
      <ProblemsView />
    </>
  );
}
