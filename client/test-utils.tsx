// Helpers for the client's component tests (jsdom): providers and a fetch that answers by route.
import type { ReactNode } from "react";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { vi } from "vitest";
import { AppToaster } from "./components/notify";

// jsdom has no ResizeObserver; Fluent's MessageBar and overflow helpers only need it to exist.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

/** Wraps a component in the panel's providers, with a fresh QueryClient that doesn't retry. */
export function Providers({ children }: { children: ReactNode }) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return (
    <QueryClientProvider client={client}>
      <FluentProvider theme={webLightTheme}>
        {children}
        <AppToaster />
      </FluentProvider>
    </QueryClientProvider>
  );
}

/** One answer of the fake API: status and JSON body (undefined → empty). */
export type FakeAnswer = { status: number; body?: unknown };

/**
 * Installs a global fetch that answers `"METHOD /path"` keys (query string ignored) and records the calls.
 * @example const calls = fakeApi({ "GET /api/v1/profiles": { status: 200, body: { data: [] } } });
 */
export function fakeApi(routes: Record<string, FakeAnswer | ((body: unknown) => FakeAnswer)>) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn((input: string, init?: RequestInit) => {
      const method = init?.method ?? "GET";
      const path = input.split("?")[0];
      const body = typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
      calls.push({ method, path, body });
      const route = routes[`${method} ${path}`];
      const answer =
        typeof route === "function"
          ? route(body)
          : (route ?? { status: 404, body: { error: { id: "not_found", message: "Not found" } } });
      return Promise.resolve(
        new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
          status: answer.status,
          headers: { "content-type": "application/json" },
        }),
      );
    }),
  );
  return calls;
}
