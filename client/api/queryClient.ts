import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./client";

/** The one QueryClient: no retries on refusals (4xx), one retry on network and 5xx faults. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        retry: (count, err) =>
          !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 1,
      },
    },
  });
}
