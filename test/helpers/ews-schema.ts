import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The envelope schema importing Microsoft's messages.xsd and types.xsd (test/fixtures/ews-schemas). */
export const EWS_ENVELOPE_SCHEMA = path.resolve("test/fixtures/ews-schemas/soap-envelope.xsd");

let available: Promise<boolean> | undefined;

/** Whether `xmllint` (Debian's libxml2-utils) can be run here. */
export function xmllintAvailable(): Promise<boolean> {
  available ??= run("xmllint", ["--version"]).then(
    () => true,
    () => false,
  );
  return available;
}

/**
 * Whether schema validation runs in this test file: with `E2E=1` a missing xmllint is a failure,
 * otherwise the caller skips with a printed line.
 */
export async function schemaValidationEnabled(): Promise<boolean> {
  if (await xmllintAvailable()) return true;
  if (process.env.E2E === "1") {
    throw new Error("xmllint is required with E2E=1 (apt-get install libxml2-utils)");
  }
  console.log("EWS schema validation skipped: xmllint not found (apt-get install libxml2-utils)");
  return false;
}

/** One answer that failed validation, with xmllint's messages about it. */
export interface SchemaFailure {
  label: string;
  errors: string[];
}

/**
 * Validates SOAP answers against Microsoft's EWS schemas in one xmllint call (the schemas, about
 * 700 KB, are compiled once for the whole batch). Returns the answers that failed, with their errors.
 * @example expect(await validateEwsAnswers([{ label: "GetItem", xml }])).toEqual([]);
 */
export async function validateEwsAnswers(
  answers: { label: string; xml: string }[],
): Promise<SchemaFailure[]> {
  if (answers.length === 0) return [];
  const dir = await mkdtemp(path.join(tmpdir(), "ews-answers-"));
  try {
    const files = await Promise.all(
      answers.map(async (a, i) => {
        const file = path.join(dir, `${String(i).padStart(4, "0")}.xml`);
        await writeFile(file, a.xml);
        return file;
      }),
    );
    let stderr: string;
    try {
      stderr = (
        await run("xmllint", ["--noout", "--schema", EWS_ENVELOPE_SCHEMA, ...files], { maxBuffer: 1 << 26 })
      ).stderr;
    } catch (error) {
      stderr = String((error as { stderr?: string }).stderr ?? error);
    }
    if (/failed to compile/.test(stderr)) throw new Error(`EWS schemas failed to compile:\n${stderr}`);
    return files.flatMap((file, i) => {
      if (new RegExp(`^${escapeRe(file)} validates$`, "m").test(stderr)) return [];
      const errors = stderr.split("\n").filter((l) => l.startsWith(`${file}:`) || l.startsWith(`${file} `));
      return [{ label: answers[i].label, errors: errors.map((e) => e.slice(file.length)) }];
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A pass-through HTTP proxy that keeps every answer with the operation of its request. */
export interface RecordingProxy {
  url: string;
  answers: { label: string; xml: string }[];
  close(): Promise<void>;
}

/**
 * Starts a proxy in front of an EWS endpoint that records each XML answer (labelled by the request's
 * first Body element), so a client library's real traffic can be schema-checked afterwards.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const answers: { label: string; xml: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const operation = /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(body.toString("utf8"))?.[1] ?? "?";
      const out = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => {
            const data = Buffer.concat(parts);
            if (/xml/.test(String(answer.headers["content-type"])) && data.length > 0) {
              answers.push({ label: operation, xml: data.toString("utf8") });
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(data);
          });
        },
      );
      out.on("error", () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
