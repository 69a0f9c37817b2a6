import { useState } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Text,
} from "@fluentui/react-components";
import { errorMessage } from "../api/client";
import { useProfiles } from "../api/profiles";
import { useMoveUsers } from "../api/users";
import { useNotify } from "../components/notify";
import { plural } from "../components/plural";

/** Moves the selected users to another profile (they start over as not activated). */
export function MoveUsersDialog({
  open,
  fromProfileId,
  userIds,
  onClose,
  onDone,
}: {
  open: boolean;
  fromProfileId: string;
  userIds: string[];
  onClose: () => void;
  onDone: () => void;
}) {
  const profiles = useProfiles();
  const move = useMoveUsers();
  const notify = useNotify();
  const [target, setTarget] = useState<string | undefined>();
  const others = (profiles.data ?? []).filter((p) => p.id !== fromProfileId);

  const handleMove = () => {
    if (!target) return;
    move.mutate(
      { userIds, profileId: target },
      {
        onSuccess: (r) => {
          notify.success(
            `Moved ${plural(r.count, "user")}`,
            `To ${others.find((p) => p.id === target)?.name ?? "the other profile"}.`,
          );
          setTarget(undefined);
          onDone();
        },
      },
    );
  };

  return (
    <Dialog open={open} onOpenChange={(_e, d) => !d.open && (move.reset(), onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Move {userIds.length.toLocaleString()} users</DialogTitle>
          <DialogContent>
            {others.length === 0 ? (
              <Text>There is no other profile yet. Create one on the Profiles page first.</Text>
            ) : (
              <Field
                label="Move to profile"
                hint="Moved users start over as not activated in their new profile."
              >
                <Dropdown
                  placeholder="Choose a profile"
                  selectedOptions={target ? [target] : []}
                  onOptionSelect={(_e, d) => setTarget(d.optionValue)}
                >
                  {others.map((p) => (
                    <Option key={p.id} value={p.id}>
                      {p.name}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            )}
            {move.error && (
              <MessageBar intent="error" role="alert">
                <MessageBarBody>{errorMessage(move.error)}</MessageBarBody>
              </MessageBar>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Cancel</Button>
            <Button
              appearance="primary"
              disabled={!target || move.isPending}
              onClick={handleMove}
              icon={move.isPending ? <Spinner size="tiny" /> : undefined}
            >
              Move
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
