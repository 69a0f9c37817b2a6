import { Checkbox, Dropdown, makeStyles, Option, SearchBox, tokens } from "@fluentui/react-components";
import { userStates, type UserState } from "../../contract/common";
import { failureCauses, failureCauseTitles, type FailureCause } from "../../contract/problems";
import { stateInfo } from "../components/states";

const useStyles = makeStyles({
  root: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "center" },
  search: { width: "280px", maxWidth: "100%" },
  state: { minWidth: "160px" },
  cause: { minWidth: "220px" },
});

/** Search (prefix of address or display-name word), state and problem cause filters of the Users tab. */
export function UsersFilters({
  q,
  onQChange,
  state,
  onStateChange,
  cause = "",
  onCauseChange,
  stalled = false,
  onStalledChange,
}: {
  q: string;
  onQChange: (q: string) => void;
  state: UserState | "";
  onStateChange: (s: UserState | "") => void;
  cause?: FailureCause | "";
  onCauseChange?: (c: FailureCause | "") => void;
  /** Only stalled mailboxes (no sync report for too long). */
  stalled?: boolean;
  onStalledChange?: (stalled: boolean) => void;
}) {
  const styles = useStyles();
  return (
    <div className={styles.root} role="search">
      <SearchBox
        className={styles.search}
        placeholder="Search by address or name"
        aria-label="Search users"
        value={q}
        onChange={(_e, d) => onQChange(d.value)}
      />
      <Dropdown
        className={styles.state}
        aria-label="Filter by state"
        value={state ? stateInfo[state].label : "All states"}
        selectedOptions={[state]}
        onOptionSelect={(_e, d) => onStateChange((d.optionValue ?? "") as UserState | "")}
      >
        <Option value="">All states</Option>
        {userStates.map((s) => (
          <Option key={s} value={s}>
            {stateInfo[s].label}
          </Option>
        ))}
      </Dropdown>
      {onCauseChange && (
        <Dropdown
          className={styles.cause}
          aria-label="Filter by problem cause"
          value={cause ? failureCauseTitles[cause] : "Any cause"}
          selectedOptions={[cause]}
          onOptionSelect={(_e, d) => onCauseChange((d.optionValue ?? "") as FailureCause | "")}
        >
          <Option value="">Any cause</Option>
          {failureCauses.map((c) => (
            <Option key={c} value={c}>
              {failureCauseTitles[c]}
            </Option>
          ))}
        </Dropdown>
      )}
      {onStalledChange && (
        <Checkbox
          label="Stalled only"
          checked={stalled}
          onChange={(_e, d) => onStalledChange(d.checked === true)}
        />
      )}
    </div>
  );
}
