import type { Express } from "express";

/** One route as Express has it mounted: method, full path, and whether every router on the way matches case. */
export interface MountedRoute {
  method: string;
  path: string;
  caseSensitive: boolean;
}

interface Layer {
  rawPath?: unknown;
  slash?: boolean;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[]; caseSensitive?: boolean };
}

/**
 * Every route mounted in an Express 5 app, found by walking its router stack (routers inside routers,
 * with their mount paths). Paths that are regular expressions are given as their source.
 * @example mountedRoutes(createApp(ctx).app).filter((r) => r.path.startsWith("/api/v1"))
 */
export function mountedRoutes(app: Express): MountedRoute[] {
  const root = (app as unknown as { router: { stack: Layer[]; caseSensitive?: boolean } }).router;
  const out: MountedRoute[] = [];
  const pathOf = (raw: unknown) => (raw instanceof RegExp ? `regexp:${raw.source}` : String(raw));
  const walk = (stack: Layer[], prefix: string, sensitive: boolean) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== "_all") {
            out.push({ method, path: `${prefix}${pathOf(layer.route.path)}`, caseSensitive: sensitive });
          }
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        const mount = layer.slash ? "" : pathOf(layer.rawPath);
        walk(layer.handle.stack, `${prefix}${mount}`, sensitive && layer.handle.caseSensitive === true);
      }
    }
  };
  walk(root.stack, "", root.caseSensitive === true);
  return out;
}
