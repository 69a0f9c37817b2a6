/**
 * Prints the status view's first-load JavaScript (gzip), counting every JS file the page loads:
 * the `<script>` and `<link rel="modulepreload">` tags of dist/client/status.html and, from each of
 * those, every static import, transitively. Dynamic imports (teams-js, MSAL) load later, and only in
 * hosts or on "Sign in": they are printed as a second figure, not counted in the first load.
 *
 *   npm run build                      (vite build && tsx scripts/bundle-size.ts)
 *   tsx scripts/bundle-size.ts [--json] [--dist dist/client] [--page status.html]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { init, parse } from "es-module-lexer";

/** The budget from DESIGN.md ("Performance budgets"). */
export const STATUS_FIRST_LOAD_BUDGET_KB = 200;

/** One JS file the page loads, with its gzip size. */
export interface LoadedFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** What a page loads: at first load, and what its dynamic imports add. */
export interface PageWeight {
  page: string;
  firstLoad: LoadedFile[];
  firstLoadGzipKb: number;
  /** Files reachable only through dynamic imports (teams-js, MSAL, ...). */
  lazy: LoadedFile[];
  lazyGzipKb: number;
}

/** Kilobytes of 1000 bytes, as Vite prints them (stricter than KiB against the budget). */
const kb = (bytes: number) => Math.round(bytes / 100) / 10;

/** The JS URLs an HTML page names in `<script src>` and `<link rel="modulepreload" href>`. */
export function scriptUrlsOf(html: string): string[] {
  const urls: string[] = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const isScript = /^<script/i.test(tag);
    if (!isScript && !/\brel=["']?modulepreload/i.test(tag)) continue;
    const url = /\b(?:src|href)=["']([^"']+)["']/i.exec(tag)?.[1];
    if (url && /\.m?js(\?|$)/.test(url)) urls.push(url);
  }
  return urls;
}

/** A built file's static and dynamic imports (relative specifiers only: everything is bundled). */
function importsOf(code: string): { staticImports: string[]; dynamicImports: string[] } {
  const [imports] = parse(code);
  const staticImports: string[] = [];
  const dynamicImports: string[] = [];
  for (const entry of imports) {
    // d === -1: a static import or re-export; d > -1: import(); d === -2: import.meta.
    if (entry.d === -2 || !entry.n) continue;
    (entry.d === -1 ? staticImports : dynamicImports).push(entry.n);
  }
  return { staticImports, dynamicImports };
}

/**
 * Measures what a built page loads.
 * @example const weight = await measurePage("dist/client", "status.html"); console.log(weight.firstLoadGzipKb);
 */
export async function measurePage(distDir: string, page: string): Promise<PageWeight> {
  await init;
  const html = readFileSync(path.join(distDir, page), "utf8");
  const toFile = (url: string, from: string) =>
    url.startsWith("/") ? path.join(distDir, url) : path.resolve(path.dirname(from), url);
  const sizes = new Map<string, LoadedFile>();
  const dynamicRoots: string[] = [];
  const walk = (roots: string[], seen: Set<string>) => {
    const queue = [...roots];
    while (queue.length) {
      const file = queue.shift()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const code = readFileSync(file);
      sizes.set(file, {
        file: path.relative(distDir, file),
        bytes: code.length,
        gzipBytes: gzipSync(code, { level: 9 }).length,
      });
      const { staticImports, dynamicImports } = importsOf(code.toString("utf8"));
      queue.push(...staticImports.map((s) => toFile(s, file)));
      dynamicRoots.push(
        ...dynamicImports.filter((s) => s.startsWith(".") || s.startsWith("/")).map((s) => toFile(s, file)),
      );
    }
  };
  const htmlFile = path.join(distDir, page);
  const first = new Set<string>();
  walk(
    scriptUrlsOf(html).map((u) => toFile(u, htmlFile)),
    first,
  );
  const everything = new Set(first);
  // Walking the dynamic roots may find further dynamic imports: keep going until none are new.
  for (let done = 0; done < dynamicRoots.length; done++) walk([dynamicRoots[done]], everything);
  const firstLoad = [...first].map((f) => sizes.get(f)!);
  const lazy = [...everything].filter((f) => !first.has(f)).map((f) => sizes.get(f)!);
  const total = (files: LoadedFile[]) => kb(files.reduce((sum, f) => sum + f.gzipBytes, 0));
  return { page, firstLoad, firstLoadGzipKb: total(firstLoad), lazy, lazyGzipKb: total(lazy) };
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const root = path.resolve(import.meta.dirname, "..");
  const weight = await measurePage(
    path.resolve(root, argument("--dist", "dist/client")),
    argument("--page", "status.html"),
  );
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(weight, null, 2));
    return;
  }
  const ok = weight.firstLoadGzipKb <= STATUS_FIRST_LOAD_BUDGET_KB;
  console.log(
    `\nStatus view (${weight.page}) first-load JavaScript: ${weight.firstLoadGzipKb} KB gzip in ${weight.firstLoad.length} files (budget ${STATUS_FIRST_LOAD_BUDGET_KB} KB) ${ok ? "ok" : "OVER BUDGET"}`,
  );
  for (const f of [...weight.firstLoad].sort((a, b) => b.gzipBytes - a.gzipBytes)) {
    console.log(`  ${kb(f.gzipBytes).toFixed(1).padStart(7)} KB  ${f.file}`);
  }
  console.log(
    `Loaded later, only when needed (teams-js in hosts, MSAL for sign-in): ${weight.lazyGzipKb} KB gzip in ${weight.lazy.length} files`,
  );
  if (!ok) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
