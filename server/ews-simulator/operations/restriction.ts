import type { StoredItem } from "../mailbox-store";
import { attr, child, elementNames, type XmlNode, type XmlValue } from "../soap";

/** A FindItem restriction turned into a test on stored items. */
export type ItemPredicate = (item: StoredItem) => boolean;

/** Thrown for a restriction the simulator can't evaluate (Exchange: ErrorUnsupportedPathForQuery). */
export class UnsupportedRestriction extends Error {
  override readonly name = "UnsupportedRestriction";
}

const FIELDS: Record<string, (i: StoredItem) => string | undefined> = {
  "item:DateTimeReceived": (i) => i.received,
  "item:DateTimeCreated": (i) => i.received,
  "item:DateTimeSent": (i) => i.received,
  "item:LastModifiedTime": (i) => i.lastModified,
  "calendar:Start": (i) => i.start,
  "calendar:End": (i) => i.end,
  "item:Subject": (i) => i.subject,
  "message:IsRead": (i) => String(i.isRead),
};
const DATES = new Set([
  "item:DateTimeReceived",
  "item:DateTimeCreated",
  "item:DateTimeSent",
  "item:LastModifiedTime",
  "calendar:Start",
  "calendar:End",
]);

const COMPARISONS: Record<string, (c: number) => boolean> = {
  IsEqualTo: (c) => c === 0,
  IsNotEqualTo: (c) => c !== 0,
  IsGreaterThan: (c) => c > 0,
  IsGreaterThanOrEqualTo: (c) => c >= 0,
  IsLessThan: (c) => c < 0,
  IsLessThanOrEqualTo: (c) => c <= 0,
};

function list(value: XmlValue): XmlNode[] {
  if (value === undefined) return [];
  const all = Array.isArray(value) ? value : [value];
  return all.map((v) => (typeof v === "string" ? { "#text": v } : v));
}

/** Every search expression directly inside a node (And/Or children, or the Restriction itself). */
function expressions(node: XmlNode): ItemPredicate[] {
  return elementNames(node).flatMap((name) => list(node[name]).map((n) => expression(name, n)));
}

function expression(name: string, node: XmlNode): ItemPredicate {
  if (name === "And") {
    const all = expressions(node);
    return (i) => all.every((p) => p(i));
  }
  if (name === "Or") {
    const any = expressions(node);
    return (i) => any.some((p) => p(i));
  }
  if (name === "Not") {
    const [inner] = expressions(node);
    if (!inner) throw new UnsupportedRestriction("Not needs one expression");
    return (i) => !inner(i);
  }
  const compare = COMPARISONS[name];
  if (!compare) throw new UnsupportedRestriction(`${name} is not supported`);
  const field = attr(child(node, "FieldURI"), "FieldURI") ?? "";
  const read = FIELDS[field];
  const constant = attr(child(child(node, "FieldURIOrConstant"), "Constant"), "Value");
  if (!read || constant === undefined) throw new UnsupportedRestriction(`${field || name} is not supported`);
  if (DATES.has(field)) {
    const at = Date.parse(constant);
    if (Number.isNaN(at)) throw new UnsupportedRestriction(`${constant} is not a date`);
    return (i) => {
      const v = read(i);
      return v !== undefined && compare(Math.sign(Date.parse(v) - at));
    };
  }
  return (i) => {
    const v = read(i);
    return v !== undefined && compare(v.toLowerCase().localeCompare(constant.toLowerCase()));
  };
}

/**
 * Turns `m:Restriction` into a predicate: comparisons (IsEqualTo ... IsLessThanOrEqualTo) on received,
 * sent, created, modified, start and end dates, subject and read flag, combined with And, Or, Not.
 * @example parseRestriction(child(request, "Restriction"))?.(item)
 */
export function parseRestriction(node: XmlNode | undefined): ItemPredicate | undefined {
  if (!node) return undefined;
  const [top] = expressions(node);
  return top;
}
