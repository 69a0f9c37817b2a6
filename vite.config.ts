import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The HTML entry pages Vite builds, relative to `client/`. Each page team appends its own
 * (the status view `status.html`, MSAL's `redirect.html`); missing files are skipped so the
 * build never breaks while a page is still being written.
 */
export const clientPages = ["index.html", "status.html", "redirect.html"];

const root = path.resolve(import.meta.dirname, "client");

export default defineConfig(async () => {
  const { existsSync } = await import("node:fs");
  const input = Object.fromEntries(
    clientPages
      .filter((page) => existsSync(path.join(root, page)))
      .map((page) => [page.replace(/\.html$/, ""), path.join(root, page)]),
  );
  return {
    root,
    plugins: [react()],
    build: {
      outDir: path.resolve(import.meta.dirname, "dist/client"),
      emptyOutDir: true,
      rollupOptions: { input },
    },
    server: {
      port: 5173,
      proxy: {
        "/api": {
          target: process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`,
          changeOrigin: false,
        },
      },
    },
  };
});
