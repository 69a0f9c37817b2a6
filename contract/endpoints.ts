import { z } from "zod";
import { ChangePasswordBody, CreateAdminBody, LocalAdmin, LoginBody, Me, SetupBody } from "./auth";
import { dataOf } from "./common";
import { CreateProfileBody, Profile, UpdateProfileBody } from "./profiles";

/** One API endpoint as the OpenAPI document describes it. */
export interface Endpoint {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Express-style path under /api/v1, e.g. `/profiles/:id`. */
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  /** Who may call it. */
  auth: "none" | "admin" | "platform" | "user" | "service-key";
}

/**
 * Every endpoint of /api/v1. Each feature appends its own list; `GET /api/openapi.json` is generated from it.
 */
export const endpoints: Endpoint[] = [
  { method: "post", path: "/auth/login", summary: "Sign in as a local admin (sets the session cookie)", tag: "auth", body: LoginBody, auth: "none" },
  { method: "post", path: "/auth/logout", summary: "Sign out", tag: "auth", auth: "none" },
  { method: "get", path: "/auth/me", summary: "Who am I", tag: "auth", response: dataOf(Me), auth: "user" },
  { method: "post", path: "/auth/password", summary: "Change my password (ends my other sessions)", tag: "auth", body: ChangePasswordBody, auth: "platform" },
  { method: "delete", path: "/auth/sessions", summary: "End my other sessions", tag: "auth", auth: "platform" },
  { method: "post", path: "/setup", summary: "Create the first local admin with the one-time setup token", tag: "auth", body: SetupBody, auth: "none" },
  { method: "get", path: "/admins", summary: "List local admins", tag: "admins", response: dataOf(z.array(LocalAdmin)), auth: "platform" },
  { method: "post", path: "/admins", summary: "Add a local admin", tag: "admins", body: CreateAdminBody, response: dataOf(LocalAdmin), auth: "platform" },
  { method: "delete", path: "/admins/:id", summary: "Remove a local admin", tag: "admins", auth: "platform" },
  { method: "get", path: "/profiles", summary: "List profiles with user counts per state", tag: "profiles", response: dataOf(z.array(Profile)), auth: "admin" },
  { method: "post", path: "/profiles", summary: "Create a profile", tag: "profiles", body: CreateProfileBody, response: dataOf(Profile), auth: "platform" },
  { method: "get", path: "/profiles/:id", summary: "Read a profile", tag: "profiles", response: dataOf(Profile), auth: "admin" },
  { method: "patch", path: "/profiles/:id", summary: "Update name, description, sync enabled, max concurrent connections", tag: "profiles", body: UpdateProfileBody, response: dataOf(Profile), auth: "admin" },
  { method: "delete", path: "/profiles/:id", summary: "Delete a profile (refused while it has active users)", tag: "profiles", auth: "platform" },
];
