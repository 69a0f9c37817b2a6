/**
 * Hostile variations of a valid-shaped request: wrong types, huge strings, unicode, deep nesting,
 * `__proto__`/`constructor` keys, duplicate keys in the raw JSON text, numbers out of range, bodies that
 * are not objects, and the same for query strings and path parameters.
 */
import fc from "fast-check";
import { arbitraryOf, topLevelFields, type Hints, type JsonSchema } from "./json-schema-arbitrary";

/** One request the fuzzer sends: a raw body (JSON text or not), a query string, a path parameter. */
export interface FuzzInput {
  /** Which mutation made it (printed when a property fails). */
  mutation: string;
  /** Raw body text (undefined: no body). */
  body?: string;
  /** Query string without the "?" (undefined: none). */
  query?: string;
  /** Replacement for the path's first `:param` (already URL-encoded). */
  pathParam?: string;
}

const HUGE = 300_000;

/** Values of the wrong JSON type for a field (or hostile values of the right one). */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    "",
    [],
    {},
    [[[]]],
    { a: { b: { c: 1 } } },
    "null",
    "undefined",
    "NaN",
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER - 2,
    1e308,
    -1e308,
    5e-324,
    2 ** 31,
    -(2 ** 31) - 1,
    27.5,
    28,
    0,
    -0,
  ),
);

/** Raw JSON number literals that JSON.parse accepts but no field should (Infinity, huge precision). */
const rawNumber = fc.constantFrom(
  "1e999",
  "-1e999",
  "123456789012345678901234567890",
  "0.0000000000000000000000001",
  "-0",
  "1E+2",
  "9007199254740993",
);

const unicodeString = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 60 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b@x.com",
    "\u202Eevil",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢@𝔵.𝔠𝔬𝔪",
    "ñoño@exämple.com",
    "\uD800",
    "\uDFFF\uD800",
    "🏳️‍🌈".repeat(50),
    "ｆｕｌｌ＠ｗｉｄｔｈ．ｃｏｍ",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00%2e%2e",
    "=cmd|' /C calc'!A0",
  ),
);

function hugeString(): fc.Arbitrary<string> {
  return fc
    .constantFrom("a", "é", "😀", "x@y.com,")
    .map((unit) => unit.repeat(Math.ceil(HUGE / unit.length)));
}

/** JSON text nested `depth` levels deep (arrays or objects). */
export function deeplyNested(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}1${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Inserts `"key": value` text at the start of an object's JSON text. */
function withRawMember(objectText: string, member: string): string {
  if (!objectText.startsWith("{")) return objectText;
  return objectText === "{}" ? `{${member}}` : `{${member},${objectText.slice(1)}`;
}

function setField(value: unknown, field: string, to: unknown): unknown {
  const base =
    value && typeof value === "object" && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : {};
  base[field] = to;
  return base;
}

/**
 * Every kind of hostile body for a schema: valid-shaped values, then each mutation.
 * @example fc.sample(bodyInputs(jsonSchemaOf(CreateProfileBody), hints), 5)
 */
export function bodyInputs(schema: JsonSchema | undefined, hints: Hints): fc.Arbitrary<FuzzInput> {
  const valid = schema ? arbitraryOf(schema, hints) : fc.constant({});
  const fields = schema ? topLevelFields(schema).map((f) => f.name) : [];
  const field = fields.length ? fc.constantFrom(...fields) : fc.constantFrom("name", "id", "userIds");
  const text = (mutation: string, a: fc.Arbitrary<string>) => a.map((body) => ({ mutation, body }));
  return fc.oneof(
    {
      arbitrary: text(
        "valid",
        valid.map((v) => JSON.stringify(v)),
      ),
      weight: 3,
    },
    {
      arbitrary: text(
        "wrong type",
        fc.tuple(valid, field, wrongValue).map(([v, f, w]) => JSON.stringify(setField(v, f, w))),
      ),
      weight: 3,
    },
    {
      arbitrary: text(
        "huge string",
        fc.tuple(valid, field, hugeString()).map(([v, f, w]) => JSON.stringify(setField(v, f, w))),
      ),
      weight: 1,
    },
    {
      arbitrary: text(
        "unicode",
        fc.tuple(valid, field, unicodeString).map(([v, f, w]) => JSON.stringify(setField(v, f, w))),
      ),
      weight: 2,
    },
    {
      arbitrary: text(
        "unknown key",
        fc
          .tuple(valid, fc.string({ minLength: 1, maxLength: 20 }), wrongValue)
          .map(([v, k, w]) => JSON.stringify(setField(v, k, w))),
      ),
      weight: 1,
    },
    {
      arbitrary: text(
        "deep nesting",
        fc
          .tuple(
            fc.integer({ min: 500, max: 20_000 }),
            fc.constantFrom("array" as const, "object" as const),
            field,
          )
          .map(([d, k, f]) => `{${JSON.stringify(f)}:${deeplyNested(d, k)}}`),
      ),
      weight: 1,
    },
    {
      arbitrary: text(
        "__proto__/constructor keys",
        fc
          .tuple(
            valid,
            fc.constantFrom(
              '"__proto__":{"isAdmin":true,"role":"platform","polluted":1}',
              '"constructor":{"prototype":{"polluted":1}}',
              '"__proto__":null',
              '"prototype":{"x":1}',
              '"hasOwnProperty":1',
              '"toString":"x"',
            ),
          )
          .map(([v, m]) => withRawMember(JSON.stringify(v), m)),
      ),
      weight: 2,
    },
    {
      arbitrary: text(
        "duplicate keys",
        fc
          .tuple(valid, field, wrongValue)
          .map(([v, f, w]) =>
            withRawMember(JSON.stringify(v), `${JSON.stringify(f)}:${JSON.stringify(w) ?? "null"}`),
          ),
      ),
      weight: 2,
    },
    {
      arbitrary: text(
        "number out of range",
        fc
          .tuple(valid, field, rawNumber)
          .map(([v, f, n]) => withRawMember(JSON.stringify(v), `${JSON.stringify(f)}:${n}`)),
      ),
      weight: 2,
    },
    {
      arbitrary: text(
        "not an object",
        fc.constantFrom(
          "[]",
          "null",
          '"text"',
          "123",
          "true",
          "{",
          '{"a":',
          "\u0000",
          "[1,2",
          "{}}",
          "{'a':1}",
          "NaN",
          "\uFEFF{}",
        ),
      ),
      weight: 1,
    },
  );
}

/** Hostile query strings: valid-shaped values, then wrong types, repeats, brackets, huge and broken encodings. */
export function queryInputs(schema: JsonSchema, hints: Hints): fc.Arbitrary<FuzzInput> {
  const valid = arbitraryOf(schema, hints).map((v) =>
    new URLSearchParams(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]),
    ).toString(),
  );
  const fields = topLevelFields(schema).map((f) => f.name);
  const field = fc.constantFrom(...(fields.length ? fields : ["q"]));
  const q = (mutation: string, a: fc.Arbitrary<string>) => a.map((query) => ({ mutation, query }));
  return fc.oneof(
    { arbitrary: q("valid", valid), weight: 3 },
    {
      arbitrary: q(
        "wrong value",
        fc
          .tuple(
            valid,
            field,
            fc.oneof(
              fc.string({ unit: "binary", maxLength: 40 }),
              fc.constantFrom(
                "abc",
                "-1",
                "1e999",
                "0x10",
                "NaN",
                "Infinity",
                "1.5",
                "",
                "99999999999999999999",
                "true",
              ),
            ),
          )
          .map(([v, f, w]) => `${v}&${encodeURIComponent(f)}=${encodeURIComponent(w)}`),
      ),
      weight: 3,
    },
    {
      arbitrary: q(
        "repeated key",
        fc.tuple(valid, field).map(([v, f]) => `${v}&${f}=a&${f}=b&${f}=c`),
      ),
      weight: 2,
    },
    {
      arbitrary: q(
        "bracket keys",
        fc
          .tuple(valid, field, fc.constantFrom("[]=x", "[a]=x", "[__proto__][x]=1", "[0]=1&{f}[1]=2"))
          .map(([v, f, b]) => `${v}&${f}${b.replaceAll("{f}", f)}`),
      ),
      weight: 2,
    },
    {
      arbitrary: q(
        "__proto__ keys",
        valid.map((v) => `${v}&__proto__=1&__proto__[polluted]=1&constructor[prototype][polluted]=1`),
      ),
      weight: 1,
    },
    {
      arbitrary: q(
        "huge value",
        fc.tuple(valid, field).map(([v, f]) => `${v}&${f}=${"a".repeat(20_000)}`),
      ),
      weight: 1,
    },
    {
      arbitrary: q(
        "unicode",
        fc
          .tuple(valid, field, unicodeString)
          .map(([v, f, u]) => `${v}&${f}=${encodeURIComponent(u.replace(/[\uD800-\uDFFF]/g, "x"))}`),
      ),
      weight: 2,
    },
    {
      arbitrary: q(
        "broken encoding",
        fc
          .tuple(valid, field, fc.constantFrom("%", "%E0%A4%A", "%FF%FE", "%00", "%C0%AF", "%uD800"))
          .map(([v, f, b]) => `${v}&${f}=${b}`),
      ),
      weight: 2,
    },
  );
}

/** Hostile path parameters (already URL-encoded). */
export const pathParamInputs: fc.Arbitrary<FuzzInput> = fc
  .oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom(
      "%00",
      "..%2F..%2Fadmins",
      "%E0%A4%A",
      "a".repeat(400),
      "__proto__",
      "constructor",
      "1e999",
      "-1",
      "%20",
      "null",
      "%F0%9F%98%80",
      "00000000-0000-0000-0000-000000000000",
      "'%20OR%201=1",
    ),
  )
  .map((pathParam) => ({ mutation: "path parameter", pathParam }));
