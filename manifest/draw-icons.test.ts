import { readFileSync } from "node:fs";
import path from "node:path";
import pngjs from "pngjs";
import { describe, expect, it } from "vitest";
import { drawIcons, ICONS_DIR } from "./draw-icons";

const { PNG } = pngjs;

describe("drawIcons", () => {
  const drawn = drawIcons();

  it("draws the package icons and the 16, 32 and 80 px ribbon icons", () => {
    const sizes = Object.fromEntries([...drawn].map(([name, png]) => [name, PNG.sync.read(png).width]));
    expect(sizes).toEqual({
      "color.png": 192,
      "outline.png": 32,
      "icon-16.png": 16,
      "icon-32.png": 32,
      "icon-80.png": 80,
    });
  });

  it("matches the committed icons (run `npx tsx manifest/draw-icons.ts` after changing the drawing)", () => {
    for (const [name, png] of drawn) {
      const committed = PNG.sync.read(readFileSync(path.join(ICONS_DIR, name))).data;
      const fresh = PNG.sync.read(png).data;
      expect(committed.length, name).toBe(fresh.length);
      // A sub-sample flipping at a shape's edge (floating point on another Node) moves a channel by ≤ 16;
      // a changed drawing moves many pixels by far more.
      let differing = 0;
      for (let i = 0; i < fresh.length; i++) if (Math.abs(committed[i] - fresh[i]) > 16) differing++;
      expect(differing, name).toBe(0);
    }
  });

  it("keeps the colour icon opaque and the mark visible on it", () => {
    const { data } = PNG.sync.read(drawn.get("color.png")!);
    const pixels = data.length / 4;
    let white = 0;
    for (let i = 0; i < pixels; i++) {
      expect(data[i * 4 + 3]).toBe(255);
      if (data[i * 4] === 255 && data[i * 4 + 1] === 255 && data[i * 4 + 2] === 255) white++;
    }
    // The mark covers a real part of the icon, not a speck and not the whole square.
    expect(white / pixels).toBeGreaterThan(0.05);
    expect(white / pixels).toBeLessThan(0.5);
  });
});
