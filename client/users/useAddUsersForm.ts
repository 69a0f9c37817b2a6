import { useState, type DragEvent } from "react";
import { useAddUsers } from "../api/users";
import { useNotify } from "../components/notify";
import { plural } from "../components/plural";

/** The non-blank lines of a paste (what the server will read as users or refuse line by line). */
export const countLines = (text: string): number =>
  text ? text.split(/\r?\n/).filter((l) => l.trim()).length : 0;

/**
 * The Add users dialog's state: the pasted (or read) text and the file it came from, a drag over the
 * drop zone, and adding (a toast on success; the result stays for the dialog to list). Closing or
 * "Add more" clears it.
 * @example const form = useAddUsersForm("p1", onClose); form.setText("a@x.com"); form.submit();
 */
export function useAddUsersForm(profileId: string, onClose: () => void) {
  const add = useAddUsers(profileId);
  const notify = useNotify();
  const [text, setTextState] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const lines = countLines(text);

  const reset = () => {
    setTextState("");
    setFileName(null);
    add.reset();
  };

  /** Typed or pasted text: no longer the file's. */
  const setText = (value: string) => {
    setTextState(value);
    setFileName(null);
  };

  const readFile = async (file: File) => {
    setFileName(file.name);
    setTextState(await file.text());
    add.reset();
  };

  return {
    text,
    setText,
    fileName,
    lines,
    dragging,
    /** What adding answered: added, duplicate and invalid lines. */
    result: add.data,
    error: add.error,
    pending: add.isPending,
    canSubmit: lines > 0 && !add.isPending,
    /** "Add more": the dialog starts over. */
    reset,
    close: () => {
      reset();
      onClose();
    },
    readFile,
    dragOver: (e: DragEvent) => {
      e.preventDefault();
      setDragging(true);
    },
    dragLeave: () => setDragging(false),
    drop: (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      const file = e.dataTransfer.files[0];
      if (file) void readFile(file);
    },
    submit: () =>
      add.mutate(text, {
        onSuccess: (r) =>
          notify.success(
            `${plural(r.added, "user")} added`,
            r.invalid.length ? `${r.invalid.length} line(s) were invalid.` : undefined,
          ),
      }),
  };
}
