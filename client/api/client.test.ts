// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, api, apiData, apiUrl, setTokenProvider } from "./client";

function respond(status: number, body: unknown) {
  const fetchMock = vi.fn<typeof fetch>(() =>
    Promise.resolve(
      new Response(body === undefined ? null : JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      }),
    ),
  );
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("API client", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setTokenProvider(null);
  });

  it("returns data and sends the cookie, JSON and no bearer outside hosts", async () => {
    const fetchMock = respond(200, { data: { id: "p1" } });
    await expect(
      apiData("PATCH /profiles/:id", { params: { id: "p1" }, body: { name: "x" } }),
    ).resolves.toEqual({
      id: "p1",
    });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/v1/profiles/p1");
    expect(init?.method).toBe("PATCH");
    expect(init?.credentials).toBe("same-origin");
    expect((init?.headers as Record<string, string>)["content-type"]).toBe("application/json");
    expect((init?.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it("sends the bearer token when a token provider is set", async () => {
    const fetchMock = respond(200, { data: null });
    setTokenProvider(() => Promise.resolve("tok123"));
    await apiData("GET /auth/me");
    expect((fetchMock.mock.calls[0][1]?.headers as Record<string, string>).authorization).toBe(
      "Bearer tok123",
    );
  });

  it("turns an error body into a typed ApiError with field errors", async () => {
    respond(400, {
      error: {
        id: "validation_failed",
        message: "name: required",
        details: [{ path: ["name"], message: "required" }],
      },
    });
    const err = await apiData("POST /profiles", { body: { name: "" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, id: "validation_failed", message: "name: required" });
    expect((err as ApiError).fieldErrors()).toEqual({ name: "required" });
  });

  it("explains a non-JSON failure", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() =>
        Promise.resolve(new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" })),
      ),
    );
    await expect(apiData("GET /profiles")).rejects.toMatchObject({ status: 502, id: "http_502" });
  });

  it("fills path parameters URL-encoded and answers undefined for a 204", async () => {
    const fetchMock = respond(204, undefined);
    await expect(api("DELETE /admins/:id", { params: { id: "a/b c" } })).resolves.toBeUndefined();
    expect(fetchMock.mock.calls[0][0]).toBe("/api/v1/admins/a%2Fb%20c");
    expect(fetchMock.mock.calls[0][1]?.method).toBe("DELETE");
  });

  it("leaves empty query values out of the URL", () => {
    expect(apiUrl("/profiles/p/users", { q: "", state: "active", cursor: null, limit: 100 })).toBe(
      "/api/v1/profiles/p/users?state=active&limit=100",
    );
  });
});
