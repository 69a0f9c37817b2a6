import { Combobox, Field, Option, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { useDeferredValue, useState } from "react";
import { useUserSearch } from "./api";

const useStyles = makeStyles({
  option: { display: "flex", flexDirection: "column" },
  address: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

interface Props {
  profileId: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (address: string) => void;
  /** Lets the admin type any address, not only the profile's users (the out-of-scope user). */
  allowOther?: boolean;
}

/**
 * A combobox that searches the profile's users by prefix (address or display-name word) as you type.
 * The value is an address; typing one directly works too.
 */
export function UserPicker({ profileId, label, hint, value, onChange, allowOther = true }: Props) {
  const styles = useStyles();
  const [query, setQuery] = useState(value);
  const deferred = useDeferredValue(query.trim());
  const search = useUserSearch(profileId, deferred);
  const users = search.data ?? [];
  return (
    <Field label={label} hint={hint}>
      <Combobox
        freeform={allowOther}
        placeholder="Search by address or name"
        value={query}
        selectedOptions={value ? [value] : []}
        onChange={(e) => {
          setQuery(e.target.value);
          onChange(e.target.value.trim());
        }}
        onOptionSelect={(_, d) => {
          if (!d.optionValue) return;
          setQuery(d.optionValue);
          onChange(d.optionValue);
        }}
        expandIcon={search.isFetching ? <Spinner size="extra-tiny" aria-label="Searching" /> : undefined}
      >
        {users.map((u) => (
          <Option key={u.id} value={u.address} text={u.address}>
            <span className={styles.option}>
              <span>{u.displayName || u.address}</span>
              <span className={styles.address}>{u.address}</span>
            </span>
          </Option>
        ))}
        {users.length === 0 && !search.isFetching ? (
          <Option disabled value="" text="">
            {deferred ? "No user of this profile starts with that" : "This profile has no users yet"}
          </Option>
        ) : null}
      </Combobox>
    </Field>
  );
}
