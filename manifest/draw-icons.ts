/**
 * Draws the app's icons from code, so they can be regenerated and stay consistent:
 * `npx tsx manifest/draw-icons.ts` writes them into manifest/icons/.
 *
 * The mark is an envelope with a pair of circular "sync" arrows at its lower right, drawn as strokes only
 * so that the single-colour outline icon and the coloured ones share one shape. Shapes are signed
 * distance functions sampled on a sub-pixel grid (anti-aliasing without an image library).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pngjs from "pngjs";
import { projectPath } from "../server/paths";

const { PNG } = pngjs;

/** Where the generated icons live (served at /icons, zipped from here). */
export const ICONS_DIR = projectPath("manifest/icons");

/** The brand colour: `accentColor` in the manifest and the colour icon's background. */
export const ACCENT = { r: 0x0f, g: 0x6c, b: 0xbd };

type Rgb = { r: number; g: number; b: number };
type Point = [number, number];

const WHITE: Rgb = { r: 255, g: 255, b: 255 };

function segmentDistance(p: Point, a: Point, b: Point): number {
  const [px, py] = [p[0] - a[0], p[1] - a[1]];
  const [bx, by] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, (px * bx + py * by) / (bx * bx + by * by)));
  return Math.hypot(px - bx * t, py - by * t);
}

/** Distance to the outline of a rounded rectangle (centre, half size, corner radius). */
function roundedRectOutlineDistance(p: Point, centre: Point, half: Point, radius: number): number {
  const qx = Math.abs(p[0] - centre[0]) - half[0] + radius;
  const qy = Math.abs(p[1] - centre[1]) - half[1] + radius;
  const signed = Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  return Math.abs(signed);
}

/** Distance to a circular arc from angle `from` to `to` (radians, counter-clockwise in screen terms). */
function arcDistance(p: Point, centre: Point, radius: number, from: number, to: number): number {
  const angle = Math.atan2(p[1] - centre[1], p[0] - centre[0]);
  const span = (to - from + 2 * Math.PI) % (2 * Math.PI);
  const offset = (angle - from + 2 * Math.PI) % (2 * Math.PI);
  if (offset <= span) return Math.abs(Math.hypot(p[0] - centre[0], p[1] - centre[1]) - radius);
  const end = (a: number): Point => [centre[0] + radius * Math.cos(a), centre[1] + radius * Math.sin(a)];
  const [s, e] = [end(from), end(to)];
  return Math.min(Math.hypot(p[0] - s[0], p[1] - s[1]), Math.hypot(p[0] - e[0], p[1] - e[1]));
}

function insideTriangle(p: Point, a: Point, b: Point, c: Point): boolean {
  const side = (u: Point, v: Point) => (v[0] - u[0]) * (p[1] - u[1]) - (v[1] - u[1]) * (p[0] - u[0]);
  const [d1, d2, d3] = [side(a, b), side(b, c), side(c, a)];
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** An arrowhead at the end of an arc, pointing along the direction of travel. */
function arrowhead(centre: Point, radius: number, angle: number, size: number): [Point, Point, Point] {
  const tip = angle + size / radius; // a little past the arc's end
  const at = (a: number, r: number): Point => [centre[0] + r * Math.cos(a), centre[1] + r * Math.sin(a)];
  return [at(tip, radius), at(angle, radius - size), at(angle, radius + size)];
}

/**
 * Whether a point of the unit square (0..1 both ways) is ink. `stroke` is the line width in the same
 * units; small icons get relatively thicker lines so they stay legible.
 */
function isInk(p: Point, stroke: number): boolean {
  const half = stroke / 2;
  const badge: Point = [0.72, 0.72];
  const badgeRadius = 0.2;
  const clearance = badgeRadius + stroke * 1.5;
  const nearBadge = Math.hypot(p[0] - badge[0], p[1] - badge[1]) < clearance;

  // The envelope, with the part under the badge cut away so the two read as separate shapes.
  if (!nearBadge) {
    if (roundedRectOutlineDistance(p, [0.4, 0.38], [0.34, 0.24], 0.06) <= half) return true;
    if (segmentDistance(p, [0.08, 0.16], [0.4, 0.4]) <= half) return true;
    if (segmentDistance(p, [0.72, 0.16], [0.4, 0.4]) <= half) return true;
  }
  // Two arcs chasing each other round the badge, each ending in an arrowhead.
  const gap = 1.0;
  const arcs: Array<[number, number]> = [
    [gap / 2, Math.PI - gap / 2],
    [Math.PI + gap / 2, 2 * Math.PI - gap / 2],
  ];
  for (const [from, to] of arcs) {
    if (arcDistance(p, badge, badgeRadius, from, to) <= half) return true;
    const [a, b, c] = arrowhead(badge, badgeRadius, to, stroke * 1.1);
    if (insideTriangle(p, a, b, c)) return true;
  }
  return false;
}

/** The mark's coverage of each pixel (0..1) on a size × size grid. */
function coverage(size: number, padding: number): Float64Array {
  const samples = size <= 32 ? 8 : 4;
  const stroke = Math.max(0.075, 1.7 / size);
  const cover = new Float64Array(size * size);
  const scale = 1 - 2 * padding;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const u = ((x + (sx + 0.5) / samples) / size - padding) / scale;
          const v = ((y + (sy + 0.5) / samples) / size - padding) / scale;
          if (isInk([u, v], stroke / scale)) hits++;
        }
      }
      cover[y * size + x] = hits / (samples * samples);
    }
  }
  return cover;
}

function encode(size: number, pixel: (i: number) => [number, number, number, number]): Buffer {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let i = 0; i < size * size; i++) png.data.set(pixel(i), i * 4);
  return PNG.sync.write(png, { colorType: 6, deflateLevel: 9 });
}

/** The mark in one colour on a transparent background (outline icon, ribbon icons). */
function markOnTransparent(size: number, colour: Rgb, padding: number): Buffer {
  const cover = coverage(size, padding);
  return encode(size, (i) => {
    const alpha = Math.round(cover[i] * 255);
    // Fully transparent pixels are stored as transparent white, so "white or transparent" holds bytewise too.
    return alpha === 0 ? [255, 255, 255, 0] : [colour.r, colour.g, colour.b, alpha];
  });
}

/** The white mark on a full-bleed accent square (the colour icon). */
function markOnAccent(size: number): Buffer {
  const cover = coverage(size, 0.2);
  const mix = (from: number, to: number, t: number) => Math.round(from + (to - from) * t);
  return encode(size, (i) => [
    mix(ACCENT.r, WHITE.r, cover[i]),
    mix(ACCENT.g, WHITE.g, cover[i]),
    mix(ACCENT.b, WHITE.b, cover[i]),
    255,
  ]);
}

/**
 * Every icon the app package and the Outlook ribbon use, by file name.
 * @example const icons = drawIcons(); icons.get("color.png") // a 192×192 PNG
 */
export function drawIcons(): Map<string, Buffer> {
  return new Map([
    ["color.png", markOnAccent(192)],
    ["outline.png", markOnTransparent(32, WHITE, 0.03)],
    ["icon-16.png", markOnTransparent(16, ACCENT, 0)],
    ["icon-32.png", markOnTransparent(32, ACCENT, 0.03)],
    ["icon-80.png", markOnTransparent(80, ACCENT, 0.05)],
  ]);
}

/** Writes the icons into `dir` (manifest/icons by default) and returns the paths written. */
export function writeIcons(dir = ICONS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  return [...drawIcons()].map(([name, png]) => {
    const file = path.join(dir, name);
    writeFileSync(file, png);
    return file;
  });
}

// Run as a script (not when bundled into the server, where import.meta.url is the bundle's).
if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href &&
  import.meta.url.endsWith("/draw-icons.ts")
) {
  for (const file of writeIcons()) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
