/**
 * fast-check arbitraries for valid-shaped request bodies and queries, generated from the contract's zod
 * schemas through their JSON Schema (`z.toJSONSchema`, input side), plus hints that put real ids where
 * a field names one (so valid-shaped requests reach the services, not only the validator).
 */
import fc from "fast-check";
import { z } from "zod";

/** A JSON Schema node, as much of it as `z.toJSONSchema` writes for the contract. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

/** Arbitraries for fields by name (e.g. `profileId` → the seeded profile ids or a random one). */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

/** The input-side JSON Schema of a zod schema. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as JsonSchema;
}

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  const maxLength = Math.min(s.maxLength ?? 60, 200);
  const minLength = Math.min(s.minLength ?? 0, maxLength);
  if (s.format === "date-time") {
    return fc
      .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (s.format === "uri") {
    return fc.oneof(
      fc.webUrl({ validSchemes: ["https"] }),
      fc.constantFrom(
        "https://hooks.example.com/x",
        "http://127.0.0.1:9/hook",
        "https://169.254.169.254/latest",
      ),
    );
  }
  if (s.format === "email") return fc.emailAddress();
  if (s.pattern) {
    // Date-time patterns are long; generated strings of them are checked against maxLength below.
    return fc
      .stringMatching(new RegExp(s.pattern))
      .filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Infinity));
  }
  return fc.string({ minLength, maxLength, unit: "grapheme" });
}

function numberOf(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min =
    s.minimum ??
    (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : Number.EPSILON) : -1e6);
  const max =
    s.maximum ??
    (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : Number.EPSILON) : 1e6);
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/**
 * A valid-shaped value of a JSON Schema (optional properties present or not).
 * @example fc.sample(arbitraryOf(jsonSchemaOf(CreateProfileBody), {}), 1)
 */
export function arbitraryOf(s: JsonSchema, hints: Hints, name?: string): fc.Arbitrary<unknown> {
  if (name && hints[name]) return hints[name];
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map((u) => arbitraryOf(u, hints, name)));
  if (s.allOf?.length) return arbitraryOf(s.allOf[0], hints, name);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "object": {
      const props = s.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, child] of Object.entries(props)) record[key] = arbitraryOf(child, hints, key);
      return fc.record(record, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    }
    case "array": {
      const maxLength = Math.min(s.maxItems ?? 5, 5);
      const itemName = name?.endsWith("s") ? name.slice(0, -1) : undefined;
      return fc.array(arbitraryOf(s.items ?? {}, hints, itemName), {
        minLength: Math.min(s.minItems ?? 0, maxLength),
        maxLength,
      });
    }
    case "string":
      return stringOf(s);
    case "integer":
      return numberOf(s, true);
    case "number":
      return numberOf(s, false);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case undefined:
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** The names of a schema's top-level properties and the JSON types they take (for type mutations). */
export function topLevelFields(s: JsonSchema): { name: string; types: string[] }[] {
  const objects = [s, ...(s.oneOf ?? []), ...(s.anyOf ?? [])].filter((o) => o.properties);
  const seen = new Map<string, Set<string>>();
  for (const o of objects) {
    for (const [name, child] of Object.entries(o.properties ?? {})) {
      const types = seen.get(name) ?? new Set<string>();
      for (const t of [child.type, ...(child.anyOf ?? []).map((a) => a.type)].flat()) {
        if (typeof t === "string") types.add(t);
      }
      if (child.enum || child.const !== undefined) types.add("string");
      seen.set(name, types);
    }
  }
  return [...seen].map(([name, types]) => ({ name, types: [...types] }));
}
