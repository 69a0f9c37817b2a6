/** Helpers for the app package tests: read a zip back, and write PNGs to make bad icons. */
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pngjs from "pngjs";
import yauzl from "yauzl";
import { ICONS_DIR } from "./draw-icons";

const { PNG } = pngjs;

/**
 * Every entry of a zip, by name, read with yauzl (the reading sibling of yazl).
 * @example const files = await unzip(zip); files.get("manifest.json")
 */
export function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, archive) => {
      if (error || !archive) return reject(error ?? new Error("no archive"));
      const files = new Map<string, Buffer>();
      archive.on("entry", (entry: yauzl.Entry) => {
        archive.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error("no stream"));
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            archive.readEntry();
          });
          stream.on("error", reject);
        });
      });
      archive.on("end", () => resolve(files));
      archive.on("error", reject);
      archive.readEntry();
    });
  });
}

/** A PNG of the given size filled by `pixel(x, y)` → [r, g, b, a]. */
export function makePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number, number],
): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) png.data.set(pixel(x, y), (y * width + x) * 4);
  }
  return PNG.sync.write(png);
}

/** The width and height of a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const { width, height } = PNG.sync.read(bytes);
  return { width, height };
}

/** A copy of the real icons folder with some files replaced. */
export function iconsWith(replacements: Record<string, Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "msa-icons-"));
  cpSync(ICONS_DIR, dir, { recursive: true });
  for (const [name, bytes] of Object.entries(replacements)) writeFileSync(path.join(dir, name), bytes);
  return dir;
}
