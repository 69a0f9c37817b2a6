import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** The local state file: per server, per mailbox, the protocol's sync states (opaque strings). */
export interface SyncStateFile {
  version: 1;
  servers: Record<string, Record<string, Record<string, string>>>;
}

/** Reads the state file; a missing file is an empty state, a broken one is an error that names the file. */
export async function readStateFile(file: string): Promise<SyncStateFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, servers: {} };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<SyncStateFile>;
  if (parsed.version !== 1 || typeof parsed.servers !== "object" || parsed.servers === null) {
    throw new Error(`${file} is not a sync state file of this example (delete it to start over).`);
  }
  return parsed as SyncStateFile;
}

/** Writes the state file in one step (a temporary file renamed over it), so a crash never leaves half a file. */
export async function writeStateFile(file: string, state: SyncStateFile): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
