/** A piece of remediation text: prose to read, or a PowerShell snippet to copy. */
export type RemediationPart = { kind: "text"; text: string } | { kind: "code"; text: string };

/** A line that is a PowerShell command: a Verb-Noun cmdlet or a `$variable` at its start. */
const COMMAND_LINE = /^\s*(?:\$[A-Za-z_]|[A-Z][a-z]+-[A-Z][A-Za-z0-9]+(?:\s|$))/;
/** Prose ending in ": Verb-Noun ..." (e.g. "Check it with: Get-Mailbox ..."): the command after the colon. */
const INLINE_COMMAND = /^(.*?:)\s+((?:[A-Z][a-z]+-[A-Z][A-Za-z0-9]+)\s.*)$/;

/**
 * Splits remediation text into prose and PowerShell snippets: ``` fenced blocks, lines that start with
 * a cmdlet, and a command after "...: " at the end of a sentence. Consecutive command lines make one
 * snippet, so a multi-step fix is copied at once.
 * @example splitRemediation("Grant the role:\nNew-ManagementRoleAssignment -Role ApplicationImpersonation")
 */
export function splitRemediation(text: string): RemediationPart[] {
  const parts: RemediationPart[] = [];
  const push = (kind: RemediationPart["kind"], line: string) => {
    const last = parts[parts.length - 1];
    if (last && last.kind === kind) last.text += `\n${line}`;
    else parts.push({ kind, text: line });
  };
  let fenced = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      // A fence closes any snippet before it, so two fenced blocks stay two.
      if (fenced) parts.push({ kind: "code", text: "" });
      continue;
    }
    if (fenced) {
      const last = parts[parts.length - 1];
      last.text = last.text ? `${last.text}\n${line}` : line;
      continue;
    }
    if (COMMAND_LINE.test(line)) {
      push("code", line.trim());
      continue;
    }
    const inline = INLINE_COMMAND.exec(line);
    if (inline) {
      push("text", inline[1]);
      push("code", inline[2].trim().replace(/\.$/, ""));
      continue;
    }
    if (line.trim()) push("text", line);
  }
  return parts.filter((p) => p.text.trim() !== "");
}
