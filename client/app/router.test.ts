import { describe, expect, it } from "vitest";
import { parseRoute, routePath, type Route } from "./router";

describe("router", () => {
  it.each<[string, string, Route]>([
    ["/", "", { page: "profiles" }],
    ["/profiles", "", { page: "profiles" }],
    ["/profiles/p1", "", { page: "profile", profileId: "p1", tab: "general" }],
    ["/profiles/p1/users", "", { page: "profile", profileId: "p1", tab: "users" }],
    ["/profiles/p1/nonsense", "", { page: "profile", profileId: "p1", tab: "general" }],
    ["/settings", "", { page: "settings" }],
    ["/setup", "?token=abc", { page: "setup", token: "abc" }],
    ["/nowhere", "", { page: "not-found", path: "/nowhere" }],
  ])("reads %s%s", (path, search, route) => {
    expect(parseRoute(path, search)).toEqual(route);
  });

  it("writes paths that read back as the same route", () => {
    const routes: Route[] = [
      { page: "profiles" },
      { page: "profile", profileId: "a b/c", tab: "connectivity" },
      { page: "profile", profileId: "x", tab: "general" },
      { page: "settings" },
    ];
    for (const route of routes) {
      const [path, search = ""] = routePath(route).split(/(?=\?)/);
      expect(parseRoute(path, search)).toEqual(route);
    }
  });
});
